#!/usr/bin/env bash
# Framework overhead on one route: the reference app with 2 workers against a raw Undertow server
# doing the same work (io.cadre.bench.RawUndertowHello), on the same machine in the same run,
# alternating rounds so that drift hits both alike.
# Usage: ./cadre.sh bench overhead [PATH] [ROUNDS] [SECONDS] [CONNECTIONS]   (PATH: /plaintext or /json)
# Ports: 18480 (raw) and 18481 (Cadre), or OVERHEAD_RAW_PORT / OVERHEAD_CADRE_PORT; both must be free.
source "$(dirname "$0")/common.sh"
require_jars
require_wrk
ROUTE=${1:-/plaintext}
ROUNDS=${2:-3}
SECONDS_PER=${3:-10}
CONNS=${4:-64}
case "$ROUTE" in /plaintext|/json) ;; *) echo "benchmark: PATH must be /plaintext or /json, was $ROUTE" >&2; exit 2;; esac
NAME=$(echo "$ROUTE" | tr -d /)
OUT="$RESULTS/overhead-$NAME-$(date -u +%Y%m%dT%H%M%SZ).txt"
RAW_PORT=${OVERHEAD_RAW_PORT:-18480}
CADRE_PORT=${OVERHEAD_CADRE_PORT:-18481}
# both must be free: a server already there would answer in place of the one meant to be measured
require_free_port "$RAW_PORT" OVERHEAD_RAW_PORT
require_free_port "$CADRE_PORT" OVERHEAD_CADRE_PORT

wait_port() { for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; return 1; }
# CPU ticks (user + system) of a process and its children, from /proc: the server's cost of a round,
# steadier on a shared machine than requests per second, which moves with whatever else runs there.
ticks() { local total=0 p; for p in "$@" $(for q in "$@"; do pgrep -P "$q"; done); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$total"; }
# One round against URL for server PID: prints "REQ_PER_S CPU_US_PER_REQUEST"
round() { local before after out
    before=$(ticks "$2"); out=$(wrk -t2 -c"$CONNS" -d"${SECONDS_PER}s" "$1"); after=$(ticks "$2")
    echo "$out" | awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" \
        '/requests in/ {n=$1} /Requests\/sec/ {r=$2} END {printf "%s %.1f\n", r, t * 1e6 / hz / n}'; }

"$JAVA" -cp "$BENCH_JAR" io.cadre.bench.RawUndertowHello $RAW_PORT > /dev/null 2>&1 & RAW=$!
"$JAVA" -jar "$SAMPLES_JAR" --port $CADRE_PORT --workers 2 ${CADRE_BENCH_OPTS:-} > /dev/null 2>&1 & CADRE=$!
trap 'kill $RAW 2>/dev/null; kill -TERM $CADRE 2>/dev/null; wait 2>/dev/null' EXIT
wait_port $RAW_PORT; wait_port $CADRE_PORT
# warm both up before measuring
wrk -t2 -c"$CONNS" -d5s "http://127.0.0.1:$RAW_PORT$ROUTE" > /dev/null
wrk -t2 -c"$CONNS" -d5s "http://127.0.0.1:$CADRE_PORT$ROUTE" > /dev/null
{
    echo "# overhead $ROUTE: ./cadre.sh bench overhead $ROUTE $ROUNDS $SECONDS_PER $CONNS (wrk -t2 -c$CONNS -d${SECONDS_PER}s, alternating rounds)"
    machine
    for r in $(seq "$ROUNDS"); do
        read -r raw raw_cpu <<< "$(round "http://127.0.0.1:$RAW_PORT$ROUTE" $RAW)"
        read -r cadre cadre_cpu <<< "$(round "http://127.0.0.1:$CADRE_PORT$ROUTE" $CADRE)"
        echo "round $r: raw-undertow $raw req/s, cadre-2-workers $cadre req/s; server CPU per request: raw $raw_cpu us, cadre $cadre_cpu us"
    done
} | tee "$OUT"
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
raw=$(awk '/^round/ {print $4}' "$OUT" | median)
cadre=$(awk '/^round/ {print $7}' "$OUT" | median)
raw_cpu=$(awk '/^round/ {print $14}' "$OUT" | median)
cadre_cpu=$(awk '/^round/ {print $17}' "$OUT" | median)
awk -v r="$raw" -v c="$cadre" -v rc="$raw_cpu" -v cc="$cadre_cpu" 'BEGIN {
    printf "median: raw-undertow %.0f req/s, cadre-2-workers %.0f req/s, throughput overhead %.1f%%\n", r, c, (r-c)*100/r
    printf "median server CPU per request: raw-undertow %.1f us, cadre %.1f us, CPU overhead %.1f%%\n", rc, cc, (cc-rc)*100/rc }' | tee -a "$OUT"
echo "raw numbers: $OUT"
