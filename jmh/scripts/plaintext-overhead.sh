#!/usr/bin/env bash
# Framework overhead on /plaintext: the reference app with 2 workers against a raw Undertow hello
# server, on the same machine in the same run, alternating rounds so that drift hits both alike.
# Usage: ./cadre.sh bench plaintext-overhead [ROUNDS] [SECONDS] [CONNECTIONS]
source "$(dirname "$0")/common.sh"
require_jars
require_wrk
ROUNDS=${1:-3}
SECONDS_PER=${2:-10}
CONNS=${3:-64}
OUT="$RESULTS/plaintext-overhead-$(date -u +%Y%m%dT%H%M%SZ).txt"
RAW_PORT=18480
CADRE_PORT=18481

wait_port() { for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; return 1; }
rps() { wrk -t2 -c"$CONNS" -d"${SECONDS_PER}s" "$1" | awk '/Requests\/sec/ {print $2}'; }

"$JAVA" -cp "$BENCH_JAR" io.cadre.bench.RawUndertowHello $RAW_PORT > /dev/null 2>&1 & RAW=$!
"$JAVA" -jar "$SAMPLES_JAR" --port $CADRE_PORT --workers 2 > /dev/null 2>&1 & CADRE=$!
trap 'kill $RAW 2>/dev/null; kill -TERM $CADRE 2>/dev/null; wait 2>/dev/null' EXIT
wait_port $RAW_PORT; wait_port $CADRE_PORT
# warm both up before measuring
wrk -t2 -c"$CONNS" -d5s http://127.0.0.1:$RAW_PORT/ > /dev/null
wrk -t2 -c"$CONNS" -d5s http://127.0.0.1:$CADRE_PORT/plaintext > /dev/null
{
    echo "# plaintext-overhead: wrk -t2 -c$CONNS -d${SECONDS_PER}s, $ROUNDS alternating rounds"
    machine
    for r in $(seq "$ROUNDS"); do
        raw=$(rps http://127.0.0.1:$RAW_PORT/)
        cadre=$(rps http://127.0.0.1:$CADRE_PORT/plaintext)
        echo "round $r: raw-undertow $raw req/s, cadre-2-workers $cadre req/s"
    done
} | tee "$OUT"
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
raw=$(awk '/^round/ {print $4}' "$OUT" | median)
cadre=$(awk '/^round/ {print $7}' "$OUT" | median)
awk -v r="$raw" -v c="$cadre" 'BEGIN { printf "median: raw-undertow %.0f req/s, cadre-2-workers %.0f req/s, overhead %.1f%%\n", r, c, (r-c)*100/r }' | tee -a "$OUT"
echo "raw numbers: $OUT"
