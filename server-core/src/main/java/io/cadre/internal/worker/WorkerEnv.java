package io.cadre.internal.worker;

import java.nio.file.Path;
import java.util.Map;

/**
 * What the primary tells a worker through its environment. {@code CADRE_WORKER_ID} marks a worker
 * process (as {@code NODE_UNIQUE_ID} does in Node's cluster); the others come with it.
 *
 * @param id the worker's slot, 1..N ({@code CADRE_WORKER_ID})
 * @param generation how many workers have held the slot ({@code CADRE_WORKER_GENERATION})
 * @param ipcSocket the primary's IPC socket ({@code CADRE_IPC})
 * @param token the secret this worker proves itself with ({@code CADRE_IPC_TOKEN})
 * @param primaryPid the primary's pid ({@code CADRE_PRIMARY_PID})
 * @param host the address to bind ({@code CADRE_BIND_HOST})
 * @param port the port to bind, as the primary reserved it ({@code CADRE_BIND_PORT})
 * @param workerCount the number of workers the primary runs ({@code CADRE_WORKER_COUNT})
 * @param spawnedAtMicros when the primary forked this worker, in epoch microseconds ({@code CADRE_SPAWNED_AT})
 * @param replacement whether it replaces a worker that keeps serving until it is ready (a rolling
 *     restart or a recycle: {@code CADRE_WORKER_REPLACEMENT=1}), so it may warm up before it serves
 */
public record WorkerEnv(int id, int generation, Path ipcSocket, String token, long primaryPid, String host, int port,
        int workerCount, long spawnedAtMicros, boolean replacement) {

    public static final String WORKER_ID = "CADRE_WORKER_ID";
    public static final String REPLACEMENT = "CADRE_WORKER_REPLACEMENT";

    /**
     * Whether this process is a worker: it has a worker's environment and its parent is the primary
     * named there. A process that a worker started (a Cadre app run as a subprocess, or its
     * {@code ctl}) inherits the same environment, but its parent is the worker: it runs as what it
     * is. A primary that is gone leaves the question to the worker, which then fails to reach it.
     */
    public static boolean isWorker(Map<String, String> env) {
        if (!env.containsKey(WORKER_ID)) {
            return false;
        }
        long primary;
        try {
            primary = Long.parseLong(env.getOrDefault("CADRE_PRIMARY_PID", ""));
        } catch (NumberFormatException e) {
            return true; // from() names what is wrong
        }
        boolean childOfPrimary = ProcessHandle.current().parent().map(p -> p.pid() == primary).orElse(true);
        return childOfPrimary || !ProcessHandle.of(primary).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Reads the worker environment; fails with {@link IllegalArgumentException} naming what is wrong. */
    public static WorkerEnv from(Map<String, String> env) {
        return new WorkerEnv(
                (int) number(env, WORKER_ID),
                (int) number(env, "CADRE_WORKER_GENERATION"),
                Path.of(text(env, "CADRE_IPC")),
                text(env, "CADRE_IPC_TOKEN"),
                number(env, "CADRE_PRIMARY_PID"),
                text(env, "CADRE_BIND_HOST"),
                (int) number(env, "CADRE_BIND_PORT"),
                (int) number(env, "CADRE_WORKER_COUNT"),
                number(env, "CADRE_SPAWNED_AT"),
                "1".equals(env.get(REPLACEMENT)));
    }

    private static String text(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(WORKER_ID + " is set, which marks a Cadre worker, but " + name
                    + " is missing; workers are started by a Cadre primary (unset " + WORKER_ID + " to run one)");
        }
        return value;
    }

    private static long number(Map<String, String> env, String name) {
        String value = text(env, name);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, was '" + value + "'");
        }
    }
}
