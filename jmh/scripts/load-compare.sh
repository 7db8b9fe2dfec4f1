#!/usr/bin/env bash
# Load comparison of the reference app under wrk, one scenario after another on one running app:
#   plaintext-keepalive, json-keepalive   GET /plaintext, /json on CONNECTIONS keep-alive connections
#   plaintext-close, json-close           the same with a new connection per request (Connection: close)
#   mixed-idle                            two light probes at once, each 4 connections pacing
#                                         PROBE_DELAY ms before every request: /plaintext and /io?ms=1
#   mixed-compute                         the same probes while 8 connections keep /compute?ms=20
#                                         (@CpuBound) saturated; a 503 (pool full) makes that wrk
#                                         thread wait 10 ms, so the load is compute, not refusals
#   session                               GET /session on CONNECTIONS keep-alive connections, each
#                                         request carrying a session cookie (below)
# Prints one table (throughput, p50/p99/p99.9/max) and writes the raw wrk outputs to
# bench-results/load-compare-<UTC timestamp>.txt and the summary to the .csv beside it (read by
# ./cadre.sh bench charts).
#
# Latencies are wrk's: closed loop, counted from when wrk sent each request, so a stalled server
# is undercharged (coordinated omission); the open-loop view of the mixed load is mixed-load.sh.
# Sessions: wrk's Lua API has no per-connection state, so each wrk thread keeps the session cookies
# its answers set, up to one per connection of that thread, and its requests cycle through them;
# the first request of each connection therefore makes a session (counted: new_sessions).
# The load generator shares the machine with the server: on a small machine read the numbers as a
# comparison between scenarios of the same run, not as the server's capacity.
#
# Needs wrk (and the built jars); installs nothing.
# Usage: ./cadre.sh bench load-compare [SECONDS] [CONNECTIONS] [WORKERS] [WARMUP_SECONDS] [PROBE_DELAY_MS]
# Environment: LOAD_COMPARE_PORT (default: a free port the app picks), CADRE_BENCH_OPTS (more app options)
source "$(dirname "$0")/common.sh"
require_wrk
require_jars
SECS=${1:-10}
CONNS=${2:-64}
WORKERS=${3:-$(nproc)}
WARMUP=${4:-5}
PROBE_DELAY=${5:-20}
THREADS=2
COMPUTE_CONNS=8
for v in "$SECS" "$CONNS" "$WORKERS" "$WARMUP" "$PROBE_DELAY"; do
    case "$v" in ''|*[!0-9]*|0) echo "benchmark: arguments must be positive whole numbers; usage: ./cadre.sh bench load-compare [SECONDS] [CONNECTIONS] [WORKERS] [WARMUP_SECONDS] [PROBE_DELAY_MS]" >&2; exit 2;; esac
done
[ "$CONNS" -ge "$THREADS" ] || { echo "benchmark: CONNECTIONS must be at least $THREADS" >&2; exit 2; }
PER_THREAD=$(( (CONNS + THREADS - 1) / THREADS )) # session cookies each wrk thread keeps
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN="load-compare-$STAMP"
OUT="$RESULTS/$RUN.txt"
scratch load-compare
CSV="$TMP/summary.csv" # moved to $RESULTS/$RUN.csv at the end: an interrupted run leaves no partial summary
BG=""

# Stops the wrk runs still going, then the app (SIGTERM: the primary stops its workers and its
# redis-server), waits for it, and SIGKILLs whatever it started that is still there 5 s later.
cleanup() {
    local p
    set +e
    for p in $(descendants $$); do # the wrk runs this script started (in the background or not)
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = wrk ] && kill "$p" 2>/dev/null
    done
    [ -n "$BG" ] && wait "$BG" 2>/dev/null
    cleanup_scratch
}
trap cleanup EXIT

# --- wrk scripts: a common part (counters, one RESULT line at the end) and one part per kind of run.
# Only the runs that need request()/response()/delay() define them: wrk sends a fixed request
# fastest when the script defines none.
cat > "$TMP/base.lua" <<'LUA'
-- done() prints: RESULT requests duration_us p50_us p99_us p999_us max_us socket_errors non_2xx_3xx status_200 status_503 new_sessions
local threads = {}
function setup(thread) table.insert(threads, thread) end
local function sum(name)
    local n = 0
    for _, t in ipairs(threads) do n = n + (tonumber(t:get(name)) or 0) end
    return n
end
function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
        latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
        e.connect + e.read + e.write + e.timeout, e.status, sum("s200"), sum("s503"), sum("fresh")))
end
LUA
# a light probe: every connection waits args[1] ms before each request
cat "$TMP/base.lua" - > "$TMP/paced.lua" <<'LUA'
function init(args) pause = tonumber(args[1]) end
function delay() return pause end
LUA
# a saturating load that backs off args[1] ms after a refusal (503: the compute pool is full)
cat "$TMP/base.lua" - > "$TMP/backoff.lua" <<'LUA'
function init(args) pause = tonumber(args[1]); s200 = 0; s503 = 0; refused = false end
function delay() if refused then refused = false; return pause end return 0 end
function response(status, headers, body)
    if status == 200 then s200 = s200 + 1 elseif status == 503 then s503 = s503 + 1; refused = true end
end
LUA
# sessions: keeps up to args[1] cookies (this thread's connections) from Set-Cookie answers and
# sends them in turn; without one yet, a request goes without and makes a session
cat "$TMP/base.lua" - > "$TMP/session.lua" <<'LUA'
function init(args) cap = tonumber(args[1]); cookies = {}; turn = 0; fresh = 0; s200 = 0 end
function request()
    if #cookies < cap and turn >= #cookies then turn = 0; return wrk.format("GET") end
    turn = turn % #cookies + 1
    return wrk.format("GET", nil, { ["Cookie"] = cookies[turn] })
end
function response(status, headers, body)
    if status == 200 then s200 = s200 + 1 end
    local c = headers["Set-Cookie"] or headers["set-cookie"]
    if c then
        fresh = fresh + 1
        if #cookies < cap then table.insert(cookies, (string.match(c, "^[^;]+"))) end
    end
end
LUA

# --- the app, on a port it picks (or LOAD_COMPARE_PORT), with its own runtime directory
mkdir -m 700 "$TMP/runtime"
CADRE_RUNTIME_DIR="$TMP/runtime" "$JAVA" -jar "$SAMPLES_JAR" --port "${LOAD_COMPARE_PORT:-0}" --workers "$WORKERS" ${CADRE_BENCH_OPTS:-} > "$TMP/app.log" 2>&1 & APP=$!
PORT=""
for _ in $(seq 1200); do
    PORT=$(sed -n 's|^cadre listening on http://[^ ]*:\([0-9][0-9]*\) .*|\1|p' "$TMP/app.log" | head -n 1)
    [ -n "$PORT" ] && break
    kill -0 "$APP" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$PORT" ]; then
    echo "benchmark: the reference app did not report 'cadre listening on ...' within 120 s; its log:" >&2
    tail -n 30 "$TMP/app.log" >&2
    exit 1
fi
BASE="http://127.0.0.1:$PORT"
for path in /plaintext /json /session "/io?ms=1" "/compute?ms=1"; do
    status=$(wrk -t1 -c1 -d1s -s "$TMP/paced.lua" "$BASE$path" -- 100 | awk '/^RESULT/ {print ($8 + $9 > 0 || $2 == 0) ? "failed" : "ok"}')
    if [ "$status" != ok ]; then
        echo "benchmark: GET $path did not answer 2xx on this reference app; nothing was measured. The app's log:" >&2
        tail -n 30 "$TMP/app.log" >&2
        exit 1
    fi
done

# --- one wrk run: NAME ROUTE CONNS WRK_THREADS SECONDS SCRIPT SCRIPT_ARG [WRK OPTIONS...]; its
# command goes to $TMP/NAME.cmd, its output to $TMP/NAME.out, the load average when it started to $TMP/NAME.load
wrk_run() {
    local name=$1 route=$2 c=$3 t=$4 d=$5 script=$6 arg=$7
    shift 7
    local cmd=(wrk --latency -t"$t" -c"$c" -d"${d}s" "$@" -s "$TMP/$script.lua" "$BASE$route")
    [ -n "$arg" ] && cmd+=(-- "$arg")
    local a; for a in "${cmd[@]}"; do case "$a" in *" "*) printf "'%s' " "$a";; *) printf '%s ' "${a#"$TMP/"}";; esac; done > "$TMP/$name.cmd"
    cut -d' ' -f1 /proc/loadavg > "$TMP/$name.load"
    "${cmd[@]}" > "$TMP/$name.out" 2>&1 & # in the background: a signal to this script is handled at once
    wait $! || true
}
# appends a run's raw output to the report and its summary line to the CSV
record() {
    local scenario=$1 name=$2 route=$3 c=$4 note=${5:-}
    { echo "----- $scenario $route: $(cat "$TMP/$name.cmd")"; cat "$TMP/$name.out"; } >> "$TMP/raw"
    awk -v run="$RUN" -v s="$scenario" -v r="$route" -v c="$c" -v load="$(cat "$TMP/$name.load")" -v note="$note" '
        /^RESULT/ { found = 1
            printf "%s,%s,%s,%d,%.0f,%.1f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%s,%s\n", run, s, r, c, $2 * 1e6 / ($3 > 0 ? $3 : 1),
                $3 / 1e6, $2, $4, $5, $6, $7, $8, $9, $10, $11, $12, load, note }
        END { if (!found) printf "%s,%s,%s,%d,0,0,0,0,0,0,0,0,0,0,0,0,%s,wrk gave no result\n", run, s, r, c, load }' "$TMP/$name.out" >> "$CSV"
}

# --- warm-up: JIT, Redis connections, the compute pool
echo "warming up: ${WARMUP}s each on /plaintext, /json, /session, /io?ms=1, /compute?ms=20 ..." >&2
wrk_run warm1 /plaintext "$CONNS" "$THREADS" "$WARMUP" base ""
wrk_run warm2 /json "$CONNS" "$THREADS" "$WARMUP" base ""
wrk_run warm3 /session "$CONNS" "$THREADS" "$WARMUP" session "$PER_THREAD"
wrk_run warm4 "/io?ms=1" "$CONNS" "$THREADS" "$WARMUP" base ""
wrk_run warm5 "/compute?ms=20" "$COMPUTE_CONNS" 1 "$WARMUP" backoff 10

{
    echo "# $RUN: ./cadre.sh bench load-compare $SECS $CONNS $WORKERS $WARMUP $PROBE_DELAY"
    echo "# reference app, $WORKERS workers${CADRE_BENCH_OPTS:+ ($CADRE_BENCH_OPTS)}, embedded redis-server; wrk $(wrk -v 2>&1 | head -n 1 | awk '{print $2}') on the same machine;"
    echo "# ${SECS}s per scenario after ${WARMUP}s warm-ups; probes: 4 connections each, ${PROBE_DELAY} ms pause before each request; compute load: $COMPUTE_CONNS connections on /compute?ms=20"
    machine
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
} > "$TMP/head"
sed 's/^/# /; s/^# # /# /' "$TMP/head" > "$CSV"
echo "run,scenario,route,connections,req_per_s,duration_s,requests,p50_us,p99_us,p999_us,max_us,socket_errors,non_2xx_3xx,status_200,status_503,new_sessions,load1,note" >> "$CSV"
: > "$TMP/raw"

echo "measuring: ${SECS}s per scenario, 7 scenarios ..." >&2
wrk_run pk /plaintext "$CONNS" "$THREADS" "$SECS" base "";                                     record plaintext-keepalive pk /plaintext "$CONNS"
wrk_run jk /json "$CONNS" "$THREADS" "$SECS" base "";                                          record json-keepalive jk /json "$CONNS"
wrk_run pc /plaintext "$CONNS" "$THREADS" "$SECS" base "" -H "Connection: close";              record plaintext-close pc /plaintext "$CONNS"
wrk_run jc /json "$CONNS" "$THREADS" "$SECS" base "" -H "Connection: close";                   record json-close jc /json "$CONNS"

# the mixed load: both probes at once, first on an otherwise idle app, then under the compute load
probes() { # SUFFIX
    wrk_run "mp$1" /plaintext 4 1 "$SECS" paced "$PROBE_DELAY" & local a=$!
    wrk_run "mi$1" "/io?ms=1" 4 1 "$SECS" paced "$PROBE_DELAY" & local b=$!
    wait "$a" "$b"
}
probes i
record mixed-idle mpi /plaintext 4 "probe"
record mixed-idle mii "/io?ms=1" 4 "probe"
wrk_run mc "/compute?ms=20" "$COMPUTE_CONNS" 1 $((SECS + 2)) backoff 10 & BG=$!
sleep 1 # let the compute load settle
probes c
wait "$BG"; BG=""
record mixed-compute mpc /plaintext 4 "probe"
record mixed-compute mic "/io?ms=1" 4 "probe"
record mixed-compute mc "/compute?ms=20" "$COMPUTE_CONNS" "saturating load"

wrk_run se /session "$CONNS" "$THREADS" "$SECS" session "$PER_THREAD"
record session se /session "$CONNS"

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)" >> "$TMP/head"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)" >> "$CSV"

# --- the table
table() {
    awk -F, '!/^#/ && $1 != "run" {
        if (!printed++) printf "%-20s %-15s %5s %9s %9s %9s %9s %9s %7s %6s  %s\n", "scenario", "route", "conns", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "errors", "load1", "note"
        err = $12 + $13 - ($3 ~ /^\/compute/ ? $15 : 0); note = $18 # a 503 from the saturated pool is expected
        if ($2 == "mixed-compute" && $3 ~ /compute/) note = note sprintf(" (%d answered, %d refused with 503)", $14, $15)
        if ($2 == "session") note = note sprintf("%d new sessions", $16)
        printf "%-20s %-15s %5d %9.0f %9.2f %9.2f %9.2f %9.2f %7d %6s  %s\n", $2, $3, $4, $5, $8 / 1000, $9 / 1000, $10 / 1000, $11 / 1000, err, $17, note }' "$CSV"
}
{
    cat "$TMP/head"
    echo
    table
    echo
    echo "raw wrk outputs (latency in wrk's units; RESULT: requests duration_us p50_us p99_us p999_us max_us socket_errors non_2xx_3xx status_200 status_503 new_sessions):"
    cat "$TMP/raw"
} > "$OUT"
cp "$CSV" "$RESULTS/$RUN.csv"
cat "$TMP/head"
echo
table
echo
echo "raw numbers: $OUT"
echo "summary:     $RESULTS/$RUN.csv"
