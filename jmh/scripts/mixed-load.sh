#!/usr/bin/env bash
# I/O latency while compute runs: /plaintext and /io?ms=1 p99, idle and while /compute?ms=20
# (@CpuBound) or /compute-vt?ms=20 (the same work on virtual threads) saturates.
# Usage: ./cadre.sh bench mixed-load [WORKERS] [SECONDS] [RATE] [SATURATING_CONNECTIONS] [APP OPTIONS...]
source "$(dirname "$0")/common.sh"
require_jars
OUT="$RESULTS/mixed-load-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
    echo "# mixed-load: ./cadre.sh bench mixed-load $*"
    machine
    "$JAVA" -cp "$BENCH_JAR" io.cadre.bench.MixedLoad "$SAMPLES_JAR" "$@"
} | tee "$OUT"
echo "raw numbers: $OUT"
