#!/usr/bin/env bash
# Worker spawn to first served response (median over RUNS replacements of a SIGKILLed worker).
# Then the floor on the same machine: a plain JVM running a raw Undertow hello server.
# Usage: ./cadre.sh bench spawn-time [RUNS]
source "$(dirname "$0")/common.sh"
require_jars
RUNS=${1:-21}
OUT="$RESULTS/spawn-time-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
    echo "# spawn-time: $RUNS replacements, reference app, 1 worker, default worker options"
    machine
    if [ -f "${SAMPLES_JAR%.jar}.aot" ]; then echo "aot cache: ${SAMPLES_JAR%.jar}.aot"; else echo "aot cache: none"; fi
    "$JAVA" -cp "$BENCH_JAR" io.cadre.bench.SpawnTime "$SAMPLES_JAR" "$RUNS"
    echo "# the floor on this machine: a plain JVM serving Undertow's hello world, no Cadre, no AOT cache"
    "$JAVA" -cp "$BENCH_JAR" io.cadre.bench.RawSpawnTime 11
} | tee "$OUT"
echo "raw numbers: $OUT"
