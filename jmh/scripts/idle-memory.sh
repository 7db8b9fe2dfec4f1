#!/usr/bin/env bash
# Idle worker resident memory with the default worker options.
# Usage: ./cadre.sh bench idle-memory [WORKERS] [IDLE_SECONDS] [APP OPTIONS...]
source "$(dirname "$0")/common.sh"
require_jars
WORKERS=${1:-2}
IDLE=${2:-30}
shift $(( $# < 2 ? $# : 2 ))
OUT="$RESULTS/idle-memory-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
    echo "# idle-memory: $WORKERS workers, idle ${IDLE}s after 2000 warm-up requests, default worker options"
    machine
    "$JAVA" -cp "$BENCH_JAR" io.cadre.bench.IdleMemory "$SAMPLES_JAR" "$WORKERS" "$IDLE" "$@"
} | tee "$OUT"
echo "raw numbers: $OUT"
