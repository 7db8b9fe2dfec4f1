#!/usr/bin/env bash
# Throughput and failures during ROUNDS rolling restarts (SIGHUP) of the reference app under load.
# Runs with net.ipv4.tcp_migrate_req=1: replacements warming up on /plaintext (--warm-up) and
# booting at the default lower priority; the same without the warm-up; without either
# (--boot-nice 0); then the first again with tcp_migrate_req=0, when this user may set it (root),
# and puts the setting back; otherwise the first three with the setting as it is.
# Usage: ./cadre.sh bench rolling-restart [ROUNDS] [WORKERS] [CLIENTS]
source "$(dirname "$0")/common.sh"
require_jars
ROUNDS=${1:-10}
WORKERS=${2:-2}
CLIENTS=${3:-8}
OUT="$RESULTS/rolling-restart-$(date -u +%Y%m%dT%H%M%SZ).txt"
SYSCTL=/proc/sys/net/ipv4/tcp_migrate_req
run() { # BOOT_NICE WARM_UP_PATHS
    echo "# replacements boot with --boot-nice ${1:-default (10)}, --warm-up ${2:-none}"
    env ${1:+CADRE_BOOT_NICE=$1} CADRE_WARM_UP="$2" \
        "$JAVA" -cp "$BENCH_JAR" io.cadre.bench.RollingRestart "$SAMPLES_JAR" "$WORKERS" "$ROUNDS" "$CLIENTS" 10 20
}
{
    echo "# rolling-restart: $ROUNDS rolling restarts of $WORKERS workers under $CLIENTS clients"
    machine
    if [ -w "$SYSCTL" ]; then
        ORIGINAL=$(cat "$SYSCTL")
        trap 'echo "$ORIGINAL" > "$SYSCTL"' EXIT
        echo 1 > "$SYSCTL"
        run "" /plaintext
        run "" ""
        run 0 ""
        echo 0 > "$SYSCTL"
        run "" /plaintext
    else
        echo "# $SYSCTL is not writable here (or absent): the setting stays as it is"
        run "" /plaintext
        run "" ""
        run 0 ""
    fi
} | tee "$OUT"
echo "raw numbers: $OUT"
