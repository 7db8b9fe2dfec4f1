package io.cadre.compute.isolated;

import java.util.concurrent.TimeUnit;

/** A process that owns an isolated executor, prints its children's pids, and waits to be killed. */
public final class IsolatedHost {
    private IsolatedHost() {
    }

    public static void main(String[] args) throws Exception {
        IsolatedExecutor executor = IsolatedExecutor.start(IsolatedExecutorIT.config().build());
        // one long job, so one child is busy when the host dies
        executor.submit(TestJobs.Sleep.class, "600000".getBytes(java.nio.charset.StandardCharsets.UTF_8), java.time.Duration.ofMinutes(20));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((executor.stats().liveChildren() < 2 || executor.stats().busyChildren() < 1) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        System.out.println("children " + ProcessHandle.current().children().map(p -> Long.toString(p.pid()))
                .collect(java.util.stream.Collectors.joining(",")));
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
