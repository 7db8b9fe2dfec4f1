#!/usr/bin/env bash
# What the WORKER model (a virtual thread per request) costs against the IO model over HTTP, and what
# the workers' carrier count does to it. Two routes of the reference app that do the same work, a
# small record written as JSON: GET /json runs on the IO thread (@NonBlocking), GET /whoami on a
# virtual thread (WORKER, the default model). Two variants of the app, 2 workers each:
#   default    Cadre's worker options: one carrier thread per core of the worker
#              (-Djdk.virtualThreadScheduler.parallelism = cores / workers, JDK 24+)
#   carriers=P the JDK's own default, one carrier per processor in every worker (P = nproc)
# Each round starts one variant, warms both routes, runs one wrk round on each and stops it; the
# variants alternate round by round so that the machine's drift hits both. Prints requests/s and
# server CPU per request (primary and workers, from /proc) per round, then the medians.
# Usage: ./cadre.sh bench models [ROUNDS] [SECONDS] [CONNECTIONS]
source "$(dirname "$0")/common.sh"
require_jars
require_wrk
ROUNDS=${1:-3}
SECONDS_PER=${2:-10}
CONNS=${3:-64}
WARMUP=10
PORT=${MODELS_PORT:-18483}
OUT="$RESULTS/models-$(date -u +%Y%m%dT%H%M%SZ).txt"
scratch models # $TMP; the app is stopped at exit
require_free_port "$PORT" MODELS_PORT

start_variant() { # $1: extra worker JVM options
    CADRE_WORKER_JVM_OPTS="$1" "$JAVA" -jar "$SAMPLES_JAR" --port "$PORT" --workers 2 > "$TMP/app.log" 2>&1 & APP=$!
    for _ in $(seq 600); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health/ready" 2>/dev/null)" = 200 ] && return 0
        kill -0 "$APP" 2>/dev/null || break
        sleep 0.05
    done
    echo "benchmark: the reference app did not become ready; its log:" >&2
    tail -n 30 "$TMP/app.log" >&2
    return 1
}
# one wrk round on $2 for variant $1: one line of key=value pairs
round() { local before after out
    before=$(tree_ticks "$APP")
    out=$(wrk -t2 -c"$CONNS" -d"${SECONDS_PER}s" "http://127.0.0.1:$PORT$2")
    after=$(tree_ticks "$APP")
    echo "$out" | awk -v v="$1" -v path="$2" -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v secs="$SECONDS_PER" '
        /requests in/ { n = $1 } /Socket errors/ { err = 1 } /Non-2xx/ { bad = $NF }
        END { printf "%-12s %-8s req/s=%.0f cpu_us/req=%.1f requests=%d non_2xx=%d%s\n", v, path, n / secs, t * 1e6 / hz / n, n, bad, err ? " SOCKET_ERRORS" : "" }'; }

P=$(nproc)
# Every line goes to the terminal and to $OUT; the rounds run in this shell (not in a pipe's
# subshell), so that the exit trap stops the app the round started, however the script ends.
say() { printf '%s\n' "$*" | tee -a "$OUT"; }
say "# models: ./cadre.sh bench models $ROUNDS $SECONDS_PER $CONNS (reference app, 2 workers; /json on the IO thread, /whoami on a virtual thread;"
say "# wrk -t2 -c$CONNS -d${SECONDS_PER}s keep-alive, ${WARMUP}s warm-up per route and app start; variants alternate)"
machine | tee -a "$OUT"
say "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
for r in $(seq "$ROUNDS"); do
    for variant in default "carriers=$P"; do
        opts=""
        [ "$variant" = default ] || opts="-Djdk.virtualThreadScheduler.parallelism=$P"
        start_variant "$opts"
        wrk -t2 -c"$CONNS" -d"${WARMUP}s" "http://127.0.0.1:$PORT/json" > /dev/null
        wrk -t2 -c"$CONNS" -d"${WARMUP}s" "http://127.0.0.1:$PORT/whoami" > /dev/null
        say "round $r $(round "$variant" /json)"
        say "round $r $(round "$variant" /whoami)"
        stop_app "$APP" || true
        APP=""
    done
done
say "load after: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
# the median of KEY over the rounds of VARIANT and PATH
med() { awk -v v="$1" -v p="$2" -v k="$3" '$1 == "round" && $3 == v && $4 == p { for (i = 5; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$OUT" |
    sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
for variant in default "carriers=$P"; do
    awk -v v="$variant" -v jr="$(med "$variant" /json req/s)" -v jc="$(med "$variant" /json cpu_us/req)" \
        -v wr="$(med "$variant" /whoami req/s)" -v wc="$(med "$variant" /whoami cpu_us/req)" 'BEGIN {
        printf "median %-12s /json (IO) %.0f req/s at %.1f us CPU/request; /whoami (WORKER) %.0f req/s at %.1f us (%.2fx the CPU of IO)\n", v, jr, jc, wr, wc, wc / jc }'
done | tee -a "$OUT"
if grep -q "SOCKET_ERRORS\|non_2xx=[1-9]" "$OUT"; then echo "WARNING: socket errors or non-2xx answers during the rounds" | tee -a "$OUT"; fi
echo "raw numbers: $OUT"
