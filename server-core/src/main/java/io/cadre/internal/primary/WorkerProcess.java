package io.cadre.internal.primary;

import io.cadre.internal.ipc.IpcChannel;
import io.cadre.internal.ipc.Payloads.Heartbeat;
import java.util.concurrent.ScheduledFuture;

/**
 * One incarnation of a worker slot: the process, its IPC channel once it said hello, and where it is
 * in its life. Fields without {@code volatile} are confined to the supervisor thread.
 */
final class WorkerProcess {
    enum State { STARTING, READY, DRAINING, EXITED }

    final int id;
    final int generation;
    final String token;
    final long spawnedAtNanos = System.nanoTime();
    Process process;
    State state = State.STARTING;
    ScheduledFuture<?> bootTimer;
    /** Why the primary killed or retired this worker; null when it left on its own. */
    String stoppedBecause;
    volatile IpcChannel channel;
    volatile long lastHeartbeatNanos = System.nanoTime();
    /** What the last heartbeat said. */
    volatile Heartbeat vitals = Heartbeat.NONE;
    /** Drained on purpose (replaced, recycled, scaled down): its exit is no crash. */
    boolean retired;
    /** Dump requests sent to it and not yet answered; failed at once when it exits. */
    final java.util.List<Long> dumps = new java.util.ArrayList<>();
    /** Its JVM said it could not use the AOT cache (set by the output relay). */
    volatile boolean refusedAotCache;
    /** It was forked at the lower boot priority ({@link BootPriority}), to be restored once ready. */
    boolean bootNiced;
    /** Its heartbeat stopped: a thread dump was asked for and it is being killed. */
    boolean hung;
    /** The requests after which it is recycled (max-requests less this worker's jitter); 0 is never. */
    long requestLimit;
    /** Requests per second, smoothed over the supervisor's ticks; and the last sample. */
    double rate;
    long rateRequests;
    long rateAtNanos = System.nanoTime();

    WorkerProcess(int id, int generation, String token) {
        this.id = id;
        this.generation = generation;
        this.token = token;
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    boolean alive() {
        return state != State.EXITED;
    }

    @Override
    public String toString() {
        return "worker " + id + " (pid " + pid() + ", generation " + generation + ")";
    }
}
