# Shared by the benchmark scripts: the JDK (from ./cadre.sh), the jars, and where results go.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAVA=${JAVA:?run benchmarks through ./cadre.sh bench NAME, which finds a JDK 21+}
SAMPLES_JAR="$ROOT/samples/target/cadre-samples.jar"
BENCH_JAR="$ROOT/jmh/target/benchmarks.jar"
RESULTS="$ROOT/bench-results"
mkdir -p "$RESULTS"

# The JMH jar alone: benchmarks that need the reference app say so themselves when it is missing
# (MemoryPerUnitBenchmark's worker unit, "-p appJar=PATH").
require_bench_jar() {
    if [ ! -f "$BENCH_JAR" ]; then
        echo "benchmark: build first: ./cadre.sh build" >&2
        exit 2
    fi
}

require_jars() {
    require_bench_jar
    if [ ! -f "$SAMPLES_JAR" ]; then
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

# The pids of everything under process $1.
descendants() { local c; for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done; }

# A scratch directory $TMP (named after $1) and $APP, the reference app the script starts: at exit,
# however the script ends, the app is stopped (stop_app) and the directory removed. A script with
# more to stop defines its own cleanup that calls cleanup_scratch, and traps it after this.
scratch() {
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/cadre-$1.XXXXXX")
    APP=""
    trap cleanup_scratch EXIT
    trap 'exit 130' INT TERM
}
cleanup_scratch() {
    set +e
    [ -n "$APP" ] && stop_app "$APP"
    rm -rf "$TMP"
}

# Stops the script when something already answers on port $1; $2 names the variable that moves it.
require_free_port() {
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
        echo "benchmark: port $1 is taken already; set $2 to a free one" >&2
        exit 2
    fi
}

# CPU ticks (user + system) of process $1 and everything under it, from /proc.
tree_ticks() { local total=0 p; for p in "$1" $(descendants "$1"); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$total"; }

# Stops the app $1 (SIGTERM: the primary stops its workers and its redis-server), waits for it,
# and SIGKILLs whatever it had started that is still there 5 s later.
stop_app() {
    local app=$1 kids p i
    kill -0 "$app" 2>/dev/null || return 0
    kids=$(descendants "$app")
    kill -TERM "$app" 2>/dev/null
    for i in $(seq 150); do kill -0 "$app" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$app" 2>/dev/null
    wait "$app" 2>/dev/null
    for p in $kids; do
        for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
    done
}
