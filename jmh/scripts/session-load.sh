#!/usr/bin/env bash
# What a session costs over HTTP: the reference app with 2 workers (and the embedded redis-server its
# primary starts), GET /json against GET /session (a counter in a Redis session: load, increment,
# save), keep-alive, alternating wrk rounds so that drift hits both alike. Prints throughput, p50 and
# p99 of each, the server CPU per request (primary, workers and redis-server together, and
# redis-server alone), and the /session : /json throughput ratio (target: >= 60%).
#
# Sessions: before measuring, the script makes one session per connection (a first GET /session
# each, keeping its sid cookie); during the rounds every /session request carries one of those
# cookies, so no request creates a session, and the script checks that none did (no Set-Cookie).
# wrk's Lua API cannot bind a cookie to one connection: each wrk thread cycles through its share
# of the sessions. /json requests carry the same cookies (a route that does not use its session
# costs no Redis call), so both routes cost wrk the same.
# Usage: ./cadre.sh bench session-load [ROUNDS] [SECONDS] [CONNECTIONS] [WARMUP_SECONDS]
source "$(dirname "$0")/common.sh"
require_jars
require_wrk
ROUNDS=${1:-3}
SECONDS_PER=${2:-10}
CONNS=${3:-64}
WARMUP=${4:-60} # the session route needs about a minute of traffic before its rounds stop speeding up
THREADS=2
PORT=${SESSION_LOAD_PORT:-18482}
OUT="$RESULTS/session-load-$(date -u +%Y%m%dT%H%M%SZ).txt"
scratch session-load # $TMP; the app (and its redis-server) is stopped at exit

wait_port() {
    for _ in $(seq 600); do
        (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0
        kill -0 "$APP" 2>/dev/null || { echo "benchmark: the reference app exited; its log:" >&2; tail -n 30 "$TMP/app.log" >&2; return 1; }
        sleep 0.05
    done
    echo "benchmark: port $PORT never opened; the app's log:" >&2; tail -n 30 "$TMP/app.log" >&2; return 1
}

require_free_port "$PORT" SESSION_LOAD_PORT

# wrk: one cookie per request from this thread's share of the sessions; counts non-200 answers and
# answers that set a cookie (a session that had to be made anew); prints one line at the end:
# RESULT requests duration_us p50_us p99_us socket_errors non_200 set_cookie
cat > "$TMP/session.lua" <<'LUA'
local threads = {}
local count = 0
function setup(thread)
    count = count + 1
    thread:set("id", count)
    table.insert(threads, thread)
end
function init(args)
    local nthreads = tonumber(args[2])
    cookies = {}
    local i = 0
    for line in io.lines(args[1]) do
        if i % nthreads == id - 1 then table.insert(cookies, line) end
        i = i + 1
    end
    if #cookies == 0 then error("no session cookie for wrk thread " .. id) end
    next_cookie = 0
    non200 = 0
    fresh = 0
end
function request()
    next_cookie = next_cookie % #cookies + 1
    return wrk.format("GET", nil, { ["Cookie"] = "sid=" .. cookies[next_cookie] })
end
function response(status, headers, body)
    if status ~= 200 then non200 = non200 + 1 end
    if headers["Set-Cookie"] or headers["set-cookie"] then fresh = fresh + 1 end
end
function done(summary, latency, requests)
    local bad, made = 0, 0
    for _, t in ipairs(threads) do
        bad = bad + t:get("non200")
        made = made + t:get("fresh")
    end
    local e = summary.errors
    io.write(string.format("RESULT %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
        latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout, bad, made))
end
LUA

"$JAVA" -jar "$SAMPLES_JAR" --port "$PORT" --workers 2 ${CADRE_BENCH_OPTS:-} > "$TMP/app.log" 2>&1 & APP=$!
wait_port

status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/session" || true)
if [ "$status" != 200 ]; then
    echo "benchmark: GET /session answered $status; this reference app has no working /session route. Nothing was measured." >&2
    exit 2
fi
# one session per connection
for _ in $(seq "$CONNS"); do
    curl -s -o /dev/null -D - "http://127.0.0.1:$PORT/session" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: sid=\([^;]*\).*/\1/p'
done > "$TMP/cookies"
if [ "$(wc -l < "$TMP/cookies")" -ne "$CONNS" ]; then
    echo "benchmark: GET /session did not hand out $CONNS sid cookies (got $(wc -l < "$TMP/cookies")); the app's log:" >&2
    tail -n 30 "$TMP/app.log" >&2
    exit 1
fi

# CPU ticks of the redis-server the primary started (0 when it runs elsewhere: --redis URL).
redis_ticks() { local p; for p in $(descendants "$APP"); do
    case "$(cat "/proc/$p/comm" 2>/dev/null)" in redis-server*) awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null; return;; esac
    done; echo 0; }
# One round of SECS seconds on PATH: prints one line of key=value pairs (CPU per request: the app's
# processes together, redis-server included; then redis-server alone)
round() { local path=$1 secs=$2 before after rbefore rafter out
    before=$(tree_ticks "$APP"); rbefore=$(redis_ticks)
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" -s "$TMP/session.lua" "http://127.0.0.1:$PORT$path" -- "$TMP/cookies" "$THREADS")
    after=$(tree_ticks "$APP"); rafter=$(redis_ticks)
    echo "$out" | awk -v path="$path" -v t=$((after - before)) -v rt=$((rafter - rbefore)) -v hz="$(getconf CLK_TCK)" '/^RESULT/ {
        printf "%-8s req/s=%.0f p50_us=%d p99_us=%d cpu_us/req=%.1f redis_cpu_us/req=%.1f requests=%d socket_errors=%d non_200=%d new_sessions=%d\n",
            path, $2 * 1e6 / $3, $4, $5, t * 1e6 / hz / $2, rt * 1e6 / hz / $2, $2, $6, $7, $8 }'; }

# warm both up (JIT, Redis connections) before measuring
round /json "$WARMUP" > /dev/null
round /session "$WARMUP" > /dev/null
{
    echo "# session-load: ./cadre.sh bench session-load $ROUNDS $SECONDS_PER $CONNS $WARMUP (reference app, 2 workers, embedded redis-server;"
    echo "# wrk -t$THREADS -c$CONNS -d${SECONDS_PER}s keep-alive, $CONNS sessions made beforehand, a ${WARMUP}s warm-up round each, then alternating rounds)"
    machine
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
    echo "redis: $(grep -o 'embedded redis-server[^,;]*' "$TMP/app.log" | head -n 1)"
    for r in $(seq "$ROUNDS"); do
        echo "round $r $(round /json "$SECONDS_PER")"
        echo "round $r $(round /session "$SECONDS_PER")"
    done
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
    # the sessions lived on: the first one's counter has every request that carried its cookie
    echo "check: session 1 now at $(curl -s -H "Cookie: sid=$(head -n 1 "$TMP/cookies")" "http://127.0.0.1:$PORT/session")"
} | tee "$OUT"
# the median of KEY over the rounds of PATH
med() { awk -v p="$1" -v k="$2" '$1 == "round" && $3 == p { for (i = 4; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$OUT" |
    sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
bad=$(awk '$1 == "round" { for (i = 4; i <= NF; i++) { split($i, kv, "="); if (kv[1] ~ /^(socket_errors|non_200|new_sessions)$/) n += kv[2] } } END {print n + 0}' "$OUT")
awk -v jr="$(med /json req/s)" -v jp50="$(med /json p50_us)" -v jp99="$(med /json p99_us)" -v jc="$(med /json cpu_us/req)" \
    -v sr="$(med /session req/s)" -v sp50="$(med /session p50_us)" -v sp99="$(med /session p99_us)" -v sc="$(med /session cpu_us/req)" \
    -v src="$(med /session redis_cpu_us/req)" -v bad="$bad" 'BEGIN {
    printf "median /json:    %.0f req/s, p50 %d us, p99 %d us, server CPU %.1f us/request\n", jr, jp50, jp99, jc
    printf "median /session: %.0f req/s, p50 %d us, p99 %d us, server CPU %.1f us/request (redis-server %.1f of it)\n", sr, sp50, sp99, sc, src
    printf "/session throughput = %.1f%% of /json (target >= 60%%: %s); server CPU per request %.1fx\n", sr * 100 / jr,
        (sr * 100 / jr >= 60) ? "met" : "NOT met", sc / jc
    if (bad > 0) printf "WARNING: %d socket errors, non-200 answers or new sessions during the rounds\n", bad }' | tee -a "$OUT"
echo "raw numbers: $OUT"
