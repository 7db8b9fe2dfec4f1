package io.cadre.samples;

import io.cadre.compute.isolated.IsolatedConfig;
import io.cadre.compute.isolated.IsolatedExecutor;
import io.cadre.compute.isolated.JsonJob;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The reference app's isolated job ({@code GET /isolated?ms=N&crash=BOOL}): it waits {@code ms} in
 * a child JVM, then answers, or, with {@code crash}, kills its own JVM mid-job with
 * {@code Runtime.halt}, as a native library gone wrong would.
 */
public final class IsolatedWork extends JsonJob<IsolatedWork.Input, IsolatedWork.Output> {
    /** What the route sends. */
    public record Input(long ms, boolean crash) {
    }

    /** What the job answers: how long it waited, in which child. */
    public record Output(long ms, long childPid) {
    }

    public IsolatedWork() {
        super(Input.class);
    }

    @Override
    protected Output apply(Input input) throws InterruptedException {
        Thread.sleep(input.ms());
        if (input.crash()) {
            Runtime.getRuntime().halt(70);
        }
        return new Output(input.ms(), ProcessHandle.current().pid());
    }

    private static final ReentrantLock STARTING = new ReentrantLock();
    private static volatile IsolatedExecutor executor;

    /**
     * The worker's executor, started on first use (a worker that never serves {@code /isolated}
     * starts no child JVM; the primary never does): one warm child, replaced when it dies. It is
     * closed when the worker exits, after its requests drained.
     */
    static IsolatedExecutor executor() {
        IsolatedExecutor e = executor;
        if (e != null) {
            return e;
        }
        STARTING.lock();
        try {
            if (executor == null) {
                IsolatedExecutor started = IsolatedExecutor.start(IsolatedConfig.builder().name("reference")
                        .register(IsolatedWork.class).poolSize(1).queueCapacity(16)
                        // closed at JVM exit, after the worker drained: what still runs then has no client left
                        .drainTimeout(Duration.ofSeconds(1)).build());
                Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("cadre-isolated-close").unstarted(started::close));
                executor = started;
            }
            return executor;
        } finally {
            STARTING.unlock();
        }
    }
}
