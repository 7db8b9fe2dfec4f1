package io.cadre.samples;

import io.cadre.CpuBound;
import io.cadre.GET;
import io.cadre.HttpException;
import io.cadre.NonBlocking;
import io.cadre.QueryParam;
import io.cadre.Worker;
import io.cadre.state.Session;
import java.time.Duration;

/**
 * The reference app's routes (docs/architecture.md). Benchmarks and peer comparisons use them, so
 * they stay stable.
 */
public final class ReferenceRoutes {
    /** The longest {@code /io} or {@code /compute} may take. UNIT: ms. */
    static final long MAX_MILLIS = 60_000;

    /** What {@code /json} answers. */
    public record Greeting(String message) {
    }

    /** What {@code /whoami} answers: which worker served the request. */
    public record WhoAmI(int worker, long pid, int generation) {
    }

    /** What {@code /session} answers: the session's counter after this request, and the worker that served it. */
    public record SessionCount(long count, long pid) {
    }

    /** What {@code /compute} answers: the CPU it burned, on which thread. */
    public record Burned(long ms, long iterations, String thread) {
    }

    @GET("/plaintext")
    @NonBlocking
    public String plaintext() {
        return "Hello, World!";
    }

    @GET("/json")
    @NonBlocking
    public Greeting json() {
        return new Greeting("Hello, World!");
    }

    @GET("/whoami")
    public WhoAmI whoami(Worker worker) {
        return new WhoAmI(worker.id(), worker.pid(), worker.generation());
    }

    /**
     * Adds one to this session's counter in Redis, atomically, whichever worker serves the request:
     * the first request of a session (no cookie, or an unknown or expired one) gets 1 and a
     * {@code Set-Cookie}; each later one with that cookie the next number.
     */
    @GET("/session")
    public SessionCount session(Session session, Worker worker) {
        return new SessionCount(session.increment("count", 1), worker.pid());
    }

    /** What {@code /isolated} answers: the job's wait, the child JVM that ran it, the worker that asked. */
    public record Isolated(long ms, long childPid, long workerPid) {
    }

    /**
     * Runs a job of {@code ms} in an isolated child JVM of this worker. With {@code crash=true} the
     * child dies mid-job: the answer is a 502 problem, and this worker goes on serving.
     */
    @GET("/isolated")
    public Isolated isolated(@QueryParam(value = "ms", defaultValue = "0") long ms,
            @QueryParam(value = "crash", defaultValue = "false") boolean crash, Worker worker) throws Exception {
        java.util.concurrent.CompletableFuture<IsolatedWork.Output> job = IsolatedWork.executor().submitJson(IsolatedWork.class,
                new IsolatedWork.Input(bounded(ms), crash), IsolatedWork.Output.class, Duration.ofMillis(ms + 30_000));
        IsolatedWork.Output out;
        try {
            out = job.get();
        } catch (InterruptedException e) {
            job.cancel(true); // the worker stops (drain deadline): kill the child's job rather than wait for it
            throw e;
        }
        return new Isolated(out.ms(), out.childPid(), worker.pid());
    }

    /** Waits {@code ms} without using CPU, on its virtual thread. */
    @GET("/io")
    public String io(@QueryParam(value = "ms", defaultValue = "0") long ms) throws InterruptedException {
        Thread.sleep(bounded(ms));
        return "waited " + ms + " ms";
    }

    /** Burns {@code ms} of CPU on the compute pool. */
    @GET("/compute")
    @CpuBound
    public Burned compute(@QueryParam(value = "ms", defaultValue = "0") long ms) {
        return burn(bounded(ms));
    }

    /**
     * The same burn as {@code /compute} without {@code @CpuBound}: on a virtual thread per request,
     * with no bound. Only for comparison (docs/benchmarks.md, mixed load): it shows what the
     * annotation buys.
     */
    @GET("/compute-vt")
    public Burned computeOnVirtualThreads(@QueryParam(value = "ms", defaultValue = "0") long ms) {
        return burn(bounded(ms));
    }

    /** Spins on a hash for {@code ms} of wall time; on an idle core that is {@code ms} of CPU. */
    static Burned burn(long ms) {
        long end = System.nanoTime() + ms * 1_000_000;
        long x = 0x9E3779B97F4A7C15L;
        long iterations = 0;
        do {
            for (int i = 0; i < 1_000; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
            iterations += 1_000;
        } while (System.nanoTime() < end);
        if (x == 42) {
            iterations++; // keeps the loop's result alive
        }
        return new Burned(ms, iterations, Thread.currentThread().getName());
    }

    private static long bounded(long ms) {
        if (ms < 0 || ms > MAX_MILLIS) {
            throw new HttpException(400, "query parameter 'ms' must be between 0 and " + MAX_MILLIS + ", was " + ms);
        }
        return ms;
    }
}
