package io.cadre.compute;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class PlatformComputePoolTest extends ComputePoolContract {
    @Override
    ComputePoolConfig.Kind kind() {
        return ComputePoolConfig.Kind.PLATFORM;
    }

    @Override
    void assertComputeThread(Thread thread) {
        assertThat(thread.isVirtual()).isFalse();
        assertThat(thread.isDaemon()).isTrue();
        assertThat(thread.getName()).matches("cadre-compute-[1-9][0-9]*");
    }

    @Test
    void theThreadsAreNumberedFromOne() {
        ComputePool pool = pool(1, LaneOptions.defaultsFor(1));
        assertThat(pool.submit(() -> Thread.currentThread().getName()).orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo("cadre-compute-1");
    }

    @Test
    void onLinuxEachComputeThreadRunsAtTheConfiguredNiceValue() throws IOException {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "per-thread nice is Linux only");
        Assumptions.assumeTrue(onPath("renice"), "renice is not on PATH");
        Assumptions.assumeTrue(niceOf(threadId()) <= 7, "this JVM already runs above nice 7");
        try (ComputePool pool = ComputePool.start(ComputePoolConfig.builder().threads(2).niceness(7).build())) {
            assertThat(pool.nicenessApplied()).isTrue();
            assertThat(pool.stats().nicenessApplied()).isTrue();
            assertThat(pool.submit(() -> niceOf(threadId())).orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo(7);
        }
        assertThat(niceOf(threadId())).as("the caller's own priority is untouched").isLessThanOrEqualTo(7);
    }

    @Test
    void onLinuxIdleSchedulingPutsEachComputeThreadUnderSchedIdle() throws IOException {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "SCHED_IDLE is Linux only");
        Assumptions.assumeTrue(onPath("chrt"), "chrt is not on PATH");
        try (ComputePool pool = ComputePool.start(ComputePoolConfig.builder().threads(2).niceness(0).idleScheduling(true).build())) {
            assertThat(pool.nicenessApplied()).isTrue();
            assertThat(pool.submit(() -> statField(threadId(), 41)).orTimeout(30, TimeUnit.SECONDS).join()).as("policy").isEqualTo(5); // SCHED_IDLE
        }
        assertThat(statField(threadId(), 41)).as("the caller's own policy is untouched").isZero();
    }

    @Test
    void aThreadThatAComputeTaskStartsGetsTheNormalPriorityBack() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "SCHED_IDLE is Linux only");
        Assumptions.assumeTrue(onPath("chrt"), "chrt is not on PATH");
        Assumptions.assumeTrue(io.cadre.compute.internal.PriorityPrivilege.mayRaiseTo(niceOf(threadId())),
                "leaving SCHED_IDLE needs CAP_SYS_NICE or RLIMIT_NICE");
        try (ComputePool pool = ComputePool.start(ComputePoolConfig.builder().threads(1).niceness(0).idleScheduling(true).build())) {
            assertThat(pool.nicenessApplied()).isTrue();
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> tid = new CompletableFuture<>();
            Thread started = pool.submit(() -> Thread.ofPlatform().daemon(true).name("started-by-a-compute-task").start(() -> {
                try {
                    tid.complete(threadId());
                } catch (IOException e) {
                    tid.completeExceptionally(e);
                }
                Await.on(release);
            })).orTimeout(30, TimeUnit.SECONDS).join();
            try {
                String id = tid.get(Await.BOUND.toSeconds(), TimeUnit.SECONDS);

                Await.until("the thread started by a compute task runs under SCHED_OTHER again", () -> policyOf(id) == 0);

                assertThat(pool.submit(() -> statField(threadId(), 41)).orTimeout(30, TimeUnit.SECONDS).join()).as("the compute thread keeps SCHED_IDLE").isEqualTo(5);
            } finally {
                release.countDown();
                started.join(Await.BOUND);
            }
        }
    }

    private static int policyOf(String tid) {
        try {
            return statField(tid, 41);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void nicenessZeroLeavesThePriorityAsItIs() {
        ComputePool pool = pool(1, LaneOptions.defaultsFor(1));
        assertThat(pool.nicenessApplied()).isFalse();
    }

    private static String threadId() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    }

    /** Field 19 of /proc/self/task/TID/stat. */
    private static int niceOf(String tid) throws IOException {
        return statField(tid, 19);
    }

    /** Field n of /proc/self/task/TID/stat; field 2 is "(name)" and may hold spaces. */
    private static int statField(String tid, int n) throws IOException {
        String stat = Files.readString(Path.of("/proc/self/task", tid, "stat"));
        String[] afterName = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(afterName[n - 3]);
    }

    private static boolean onPath(String command) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
