package io.cadre.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cadre.compute.ComputePool;
import io.cadre.compute.ComputePoolConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One pass of the priority guard at a time, against real threads of this JVM (Linux, with the privilege to raise a priority). */
class PriorityGuardTest {
    private int mainNice;

    @BeforeEach
    void linuxWithThePrivilege() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "per-thread priorities are Linux only");
        assumeTrue(onPath("chrt") && onPath("renice"), "chrt or renice is not on PATH");
        mainNice = Niceness.statField(Long.toString(ProcessHandle.current().pid()), 19).orElseThrow();
        assumeTrue(mainNice < 7, "this JVM already runs at nice 7 or above");
        assumeTrue(PriorityPrivilege.mayRaiseTo(mainNice), "this process may not raise a priority again (no CAP_SYS_NICE, low RLIMIT_NICE)");
    }

    @Test
    void aThreadThatInheritedSchedIdleIsPutBackAndTheComputeThreadsOfEveryPoolKeepIt() throws Exception {
        try (ComputePool other = ComputePool.start(ComputePoolConfig.builder().threads(2).niceness(0).idleScheduling(true).build())) {
            assertThat(other.nicenessApplied()).isTrue();
            CountDownLatch release = new CountDownLatch(1);
            try {
                String inherited = startedBy(other, release);
                assertThat(Niceness.statField(inherited, 41)).as("born under SCHED_IDLE").hasValue(Niceness.SCHED_IDLE);

                // a guard of another pool of this JVM: it must not take the other pool's threads for inherited ones
                PriorityGuard.create(Set.of(), 0, true, () -> false, LoggerFactory.getLogger(PriorityGuardTest.class)).check();

                assertThat(Niceness.statField(inherited, 41)).as("policy after the pass").hasValue(0);
                assertThat(Niceness.statField(inherited, 19)).as("nice after the pass").hasValue(mainNice);
                for (int i = 0; i < 4; i++) {
                    assertThat(other.submit(() -> Niceness.statField(Niceness.currentThreadId(), 41).orElse(-1)).orTimeout(30, TimeUnit.SECONDS).join())
                            .as("a compute thread's policy").isEqualTo(Niceness.SCHED_IDLE);
                }
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void withANiceValueOnlyAThreadAtThePoolsNiceValueGetsTheMainThreadsBack() throws Exception {
        try (ComputePool pool = ComputePool.start(ComputePoolConfig.builder().threads(1).niceness(7).idleScheduling(false).build())) {
            assertThat(pool.nicenessApplied()).isTrue();
            CountDownLatch release = new CountDownLatch(1);
            try {
                String inherited = startedBy(pool, release);
                assertThat(Niceness.statField(inherited, 19)).as("born at the pool's nice value").hasValue(7);

                PriorityGuard.create(Set.of(), 7, false, () -> false, LoggerFactory.getLogger(PriorityGuardTest.class)).check();

                assertThat(Niceness.statField(inherited, 19)).hasValue(mainNice);
                assertThat(Niceness.statField(inherited, 41)).hasValue(0);
                assertThat(pool.submit(() -> Niceness.statField(Niceness.currentThreadId(), 19).orElse(-1)).orTimeout(30, TimeUnit.SECONDS).join())
                        .as("the compute thread's nice value").isEqualTo(7);
            } finally {
                release.countDown();
            }
        }
    }

    /** Starts, from a compute thread of {@code pool}, a thread that waits for {@code release}; returns its kernel thread id. */
    private static String startedBy(ComputePool pool, CountDownLatch release) throws Exception {
        CompletableFuture<String> tid = new CompletableFuture<>();
        pool.submit(() -> Thread.ofPlatform().daemon(true).name("inherits").start(() -> {
            try {
                tid.complete(Niceness.currentThreadId());
                release.await(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                tid.completeExceptionally(e);
            }
        })).orTimeout(30, TimeUnit.SECONDS).join();
        return tid.get(10, TimeUnit.SECONDS);
    }

    private static boolean onPath(String command) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
