#!/usr/bin/env bash
# Throughput and failures during ROUNDS rolling restarts (SIGHUP) of the reference app under load.
# Runs once with net.ipv4.tcp_migrate_req=1 and once with 0 when this user may set it (root), and
# puts the setting back; otherwise once, with the setting as it is.
# Usage: ./cadre.sh bench rolling-restart [ROUNDS] [WORKERS] [CLIENTS]
source "$(dirname "$0")/common.sh"
require_jars
ROUNDS=${1:-10}
WORKERS=${2:-2}
CLIENTS=${3:-8}
OUT="$RESULTS/rolling-restart-$(date -u +%Y%m%dT%H%M%SZ).txt"
SYSCTL=/proc/sys/net/ipv4/tcp_migrate_req
run() {
    "$JAVA" -cp "$BENCH_JAR" io.cadre.bench.RollingRestart "$SAMPLES_JAR" "$WORKERS" "$ROUNDS" "$CLIENTS" 10
}
{
    echo "# rolling-restart: $ROUNDS rolling restarts of $WORKERS workers under $CLIENTS clients"
    machine
    if [ -w "$SYSCTL" ]; then
        ORIGINAL=$(cat "$SYSCTL")
        trap 'echo "$ORIGINAL" > "$SYSCTL"' EXIT
        for setting in 1 0; do
            echo "$setting" > "$SYSCTL"
            run
        done
    else
        echo "# $SYSCTL is not writable here (or absent): one run with the setting as it is"
        run
    fi
} | tee "$OUT"
echo "raw numbers: $OUT"
