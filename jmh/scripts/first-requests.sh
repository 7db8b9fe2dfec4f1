#!/usr/bin/env bash
# The first requests a new worker serves after a rolling restart, without and with --warm-up:
# one worker, ROUNDS rollouts, then REQUESTS requests to PATH back to back, latency of each.
# Usage: ./cadre.sh bench first-requests [ROUNDS] [REQUESTS] [PATH]
source "$(dirname "$0")/common.sh"
require_jars
ROUNDS=${1:-5}
REQUESTS=${2:-2000}
URL_PATH=${3:-/json}
OUT="$RESULTS/first-requests-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
    echo "# first-requests: $ROUNDS rollouts of 1 worker, $REQUESTS requests to $URL_PATH after each"
    machine
    "$JAVA" -cp "$BENCH_JAR" io.cadre.bench.FirstRequests "$SAMPLES_JAR" "$ROUNDS" "$REQUESTS" "$URL_PATH"
} | tee "$OUT"
echo "raw numbers: $OUT"
