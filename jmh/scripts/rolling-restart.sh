#!/usr/bin/env bash
# Throughput and failures during ROUNDS rolling restarts (SIGHUP) of the reference app under load.
# Runs with net.ipv4.tcp_migrate_req=1 (replacements booting at the default lower priority, then
# again with --boot-nice 0) and with 0, when this user may set it (root), and puts the setting back;
# otherwise the two boot priorities with the setting as it is.
# Usage: ./cadre.sh bench rolling-restart [ROUNDS] [WORKERS] [CLIENTS]
source "$(dirname "$0")/common.sh"
require_jars
ROUNDS=${1:-10}
WORKERS=${2:-2}
CLIENTS=${3:-8}
OUT="$RESULTS/rolling-restart-$(date -u +%Y%m%dT%H%M%SZ).txt"
SYSCTL=/proc/sys/net/ipv4/tcp_migrate_req
run() { # BOOT_NICE
    echo "# replacements boot with --boot-nice ${1:-default (10)}"
    env ${1:+CADRE_BOOT_NICE=$1} "$JAVA" -cp "$BENCH_JAR" io.cadre.bench.RollingRestart "$SAMPLES_JAR" "$WORKERS" "$ROUNDS" "$CLIENTS" 10 20
}
{
    echo "# rolling-restart: $ROUNDS rolling restarts of $WORKERS workers under $CLIENTS clients"
    machine
    if [ -w "$SYSCTL" ]; then
        ORIGINAL=$(cat "$SYSCTL")
        trap 'echo "$ORIGINAL" > "$SYSCTL"' EXIT
        echo 1 > "$SYSCTL"
        run ""
        run 0
        echo 0 > "$SYSCTL"
        run ""
    else
        echo "# $SYSCTL is not writable here (or absent): the setting stays as it is"
        run ""
        run 0
    fi
} | tee "$OUT"
echo "raw numbers: $OUT"
