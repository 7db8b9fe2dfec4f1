#!/usr/bin/env bash
# The process-vs-thread JMH suite: every benchmark in jmh/target/benchmarks.jar except the state
# module's (StateBenchmark needs redis and measures something else) — CPU-bound scaling, dispatch
# and hand-off cost, isolated child JVMs, IPC framing, memory per unit of concurrency — then the
# scaling and memory report (io.cadre.bench.ScalingReport).
#
# Usage: ./cadre.sh bench suite [short|full] [MORE JMH OPTIONS...]
#   short (default): -f 1 -wi 1 -i 2 -w 1s -r 1s   one fork, 1 s iterations: a quick look
#                    (436 s on the 2-vCPU VM of docs/benchmarks.md; CpuScalingBenchmark is 40 of its 61 trials)
#   full:            -f 2 -wi 5 -i 10               two forks, each benchmark's own iteration times
#                    (about 70 minutes on 2 cores, estimated; CpuScalingBenchmark grows with N: on a big
#                    machine pass CADRE_SUITE_N=1,2,4,8,16 rather than every N)
# Environment:
#   CADRE_SUITE_PROFILE  short or full, when no argument names one
#   CADRE_SUITE_N        the N values of CpuScalingBenchmark (JMH list), default 1..nproc
#   CADRE_SUITE_EXCLUDE  JMH exclude regex, default StateBenchmark
# Options after the profile go to JMH as they are, e.g. "-p kernel=spin,json" or a benchmark regex.
# Writes bench-results/suite-PROFILE-STAMP.{txt,json,md} (raw output, JMH JSON, report).
source "$(dirname "$0")/common.sh"
require_bench_jar
PROFILE=${CADRE_SUITE_PROFILE:-short}
if [ $# -gt 0 ] && { [ "$1" = short ] || [ "$1" = full ]; }; then
    PROFILE=$1
    shift
fi
case "$PROFILE" in
    short) PROFILE_ARGS=(-f 1 -wi 1 -i 2 -w 1s -r 1s) ;;
    full) PROFILE_ARGS=(-f 2 -wi 5 -i 10) ;;
    *) echo "suite: profile must be short or full, was '$PROFILE'" >&2; exit 2 ;;
esac
N_VALUES=${CADRE_SUITE_N:-$(seq -s, 1 "$(nproc)")}
EXCLUDE=${CADRE_SUITE_EXCLUDE:-StateBenchmark}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$RESULTS/suite-$PROFILE-$STAMP"
cd "$ROOT"
START=$(date +%s)
{
    echo "# suite ($PROFILE): JMH ${PROFILE_ARGS[*]}, CpuScalingBenchmark n=$N_VALUES, excluding $EXCLUDE"
    machine
    echo "load before: $(uptime)"
    "$JAVA" -jar "$BENCH_JAR" -e "$EXCLUDE" "${PROFILE_ARGS[@]}" -p "n=$N_VALUES" -p "appJar=$SAMPLES_JAR" \
        -rf json -rff "$OUT.json" "$@"
    echo "load after: $(uptime)"
    echo "suite took $(( $(date +%s) - START )) s"
} 2>&1 | tee "$OUT.txt"
if [ -s "$OUT.json" ]; then
    {
        echo "<!-- suite ($PROFILE) $STAMP; $(nproc) cores; $("$JAVA" -version 2>&1 | head -n 1) -->"
        "$JAVA" -cp "$BENCH_JAR" io.cadre.bench.ScalingReport "$OUT.json"
    } | tee "$OUT.md"
fi
LEFT=$(pgrep -af -- "-cp $BENCH_JAR " || true)
if [ -n "$LEFT" ]; then
    echo "suite: java processes with $BENCH_JAR on their class path are still running (another run, or left over):" >&2
    echo "$LEFT" >&2
fi
echo "raw output: $OUT.txt, JMH JSON: $OUT.json, report: $OUT.md"
