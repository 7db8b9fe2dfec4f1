package io.cadre.state.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cadre.it.ClusterProcess;
import io.cadre.it.RawHttp;
import io.cadre.state.internal.redis.RedisServer;
import io.cadre.state.internal.redis.Resp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the state ITs share: starting {@link StateTestApp}, pinned connections, cookies, JSON, Redis stats. */
public final class StateClient {
    static final Duration BOOT = Duration.ofSeconds(90);
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SID = Pattern.compile("(?:^|;\\s*)sid=([^;]*)");

    private StateClient() {
    }

    /** Starts the test app with {@code workers} workers on an external Redis. */
    static ClusterProcess start(int workers, RedisServer redis, Map<String, String> env) throws IOException {
        Map<String, String> all = new HashMap<>(env);
        all.put("CADRE_REDIS_PASSWORD", redis.password());
        return ClusterProcess.start(StateTestApp.class, List.of("--port", "0", "--workers", Integer.toString(workers), "--redis",
                redis.uri()), all);
    }

    static JsonNode json(RawHttp.Response r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON (status " + r.status() + "): " + r.body(), e);
        }
    }

    static long pid(RawHttp.Response r) {
        return json(r).get("pid").asLong();
    }

    /** The session id a response's {@code Set-Cookie} carries, or null. */
    static String sid(RawHttp.Response r) {
        String cookie = r.header("Set-Cookie");
        if (cookie == null) {
            return null;
        }
        Matcher m = SID.matcher(cookie);
        return m.find() ? m.group(1) : null;
    }

    static Map<String, String> cookie(String sid) {
        return Map.of("Cookie", "sid=" + sid);
    }

    /**
     * One keep-alive connection to each of {@code workers} different workers (told apart by the
     * pid {@code /plain} answers with), keyed by pid; connections to a worker already held are closed.
     */
    static Map<Long, RawHttp.Connection> pinned(int port, int workers, int timeoutMillis) throws IOException {
        Map<Long, RawHttp.Connection> byPid = new LinkedHashMap<>();
        for (int i = 0; i < 500 && byPid.size() < workers; i++) {
            RawHttp.Connection c = new RawHttp.Connection(port, timeoutMillis);
            long pid = pid(c.get("/plain"));
            if (byPid.containsKey(pid)) {
                c.close();
            } else {
                byPid.put(pid, c);
            }
        }
        if (byPid.size() < workers) {
            closeAll(byPid.values());
            throw new AssertionError("reached only " + byPid.size() + " of " + workers + " workers in 500 connections");
        }
        return byPid;
    }

    static void closeAll(Iterable<RawHttp.Connection> connections) {
        for (RawHttp.Connection c : connections) {
            try {
                c.close();
            } catch (IOException e) {
                // closing a test connection
            }
        }
    }

    /** Calls of each Redis command so far ({@code INFO commandstats}), by command name. */
    public static Map<String, Long> commandCalls(RedisServer redis) throws IOException {
        try (Resp resp = redis.connect(5_000)) {
            Object info = resp.call("INFO", "commandstats");
            Map<String, Long> calls = new HashMap<>();
            for (String line : info.toString().split("\r?\n")) {
                Matcher m = Pattern.compile("cmdstat_([^:]+):calls=(\\d+)").matcher(line);
                if (m.find()) {
                    calls.put(m.group(1), Long.parseLong(m.group(2)));
                }
            }
            return calls;
        }
    }

    /** The calls of data commands (not connection upkeep: PING, INFO, CLIENT, HELLO, AUTH, SELECT, (P)SUBSCRIBE). */
    public static long dataCalls(RedisServer redis) throws IOException {
        List<String> upkeep = new ArrayList<>(List.of("ping", "info", "client", "hello", "auth", "select", "subscribe", "psubscribe",
                "ssubscribe", "command", "readonly", "cluster"));
        return commandCalls(redis).entrySet().stream()
                .filter(e -> upkeep.stream().noneMatch(u -> e.getKey().equals(u) || e.getKey().startsWith(u + "|")))
                .mapToLong(Map.Entry::getValue).sum();
    }

    static void flushAll(RedisServer redis) throws IOException {
        try (Resp resp = redis.connect(5_000)) {
            resp.call("FLUSHALL");
        }
    }
}
