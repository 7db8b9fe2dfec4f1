# Shared by the benchmark scripts: the JDK (from ./cadre.sh), the jars, and where results go.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAVA=${JAVA:?run benchmarks through ./cadre.sh bench NAME, which finds a JDK 21+}
SAMPLES_JAR="$ROOT/samples/target/cadre-samples.jar"
BENCH_JAR="$ROOT/jmh/target/benchmarks.jar"
RESULTS="$ROOT/bench-results"
mkdir -p "$RESULTS"

require_jars() {
    if [ ! -f "$SAMPLES_JAR" ] || [ ! -f "$BENCH_JAR" ]; then
        echo "benchmark: build first: ./cadre.sh build" >&2
        exit 2
    fi
}

require_wrk() {
    if ! command -v wrk >/dev/null 2>&1; then
        echo "benchmark: wrk is not installed; install it (for example: apt install wrk) and run again. Nothing was run." >&2
        exit 2
    fi
}

machine() {
    echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); kernel $(uname -r)"
    echo "jdk: $("$JAVA" -version 2>&1 | head -n 1)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
