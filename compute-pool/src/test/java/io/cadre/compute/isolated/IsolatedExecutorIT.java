package io.cadre.compute.isolated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cadre.compute.isolated.TestJobs.Add;
import io.cadre.compute.isolated.TestJobs.Big;
import io.cadre.compute.isolated.TestJobs.Echo;
import io.cadre.compute.isolated.TestJobs.Exit;
import io.cadre.compute.isolated.TestJobs.Forever;
import io.cadre.compute.isolated.TestJobs.Halt;
import io.cadre.compute.isolated.TestJobs.HeapBomb;
import io.cadre.compute.isolated.TestJobs.Pid;
import io.cadre.compute.isolated.TestJobs.Recurse;
import io.cadre.compute.isolated.TestJobs.Segfault;
import io.cadre.compute.isolated.TestJobs.Sleep;
import io.cadre.compute.isolated.TestJobs.Throws;
import io.cadre.compute.isolated.TestJobs.Unregistered;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The isolated executor against real child JVMs: every way a job can fail is reported with its
 * type, and the pool heals; deadlines, cancellation, the queue, the breaker, recycling, JSON jobs
 * and shutdown.
 */
class IsolatedExecutorIT {
    static final Duration HEAL = Duration.ofSeconds(20); // a bound, not a target: JVM starts on a loaded 2-core runner
    IsolatedExecutor executor;

    static IsolatedConfig.Builder config() {
        return IsolatedConfig.builder().name("test").poolSize(2)
                .register(Echo.class, Pid.class, Sleep.class, Exit.class, Halt.class, HeapBomb.class, Forever.class, Recurse.class,
                        Segfault.class, Throws.class, Big.class, Add.class)
                .jvmOptions(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"))
                .maxOutputBytes(1 << 20)
                .breaker(3, Duration.ofSeconds(60), Duration.ofSeconds(60));
    }

    @AfterEach
    void close() {
        if (executor != null) {
            executor.close();
        }
        try {
            awaitTrue(() -> ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive), Duration.ofSeconds(10), "");
        } catch (AssertionError notGone) {
            // kill what is left, so a failing test does not leave child JVMs to the next one, then fail with the list
            List<ProcessHandle> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
            List<String> described = left.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
            left.forEach(ProcessHandle::destroyForcibly);
            awaitTrue(() -> left.stream().noneMatch(ProcessHandle::isAlive), Duration.ofSeconds(10),
                    "processes still alive 10 s after SIGKILL: " + described);
            throw new AssertionError("child processes left after the test (now killed): " + described);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the job succeeded");
    }

    static void awaitTrue(Supplier<Boolean> condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Waits until the pool has all its children again; returns how long that took. UNIT: ms. */
    long awaitFullPool(long sinceNanos) {
        awaitTrue(() -> executor.stats().liveChildren() == executor.config().poolSize(), HEAL, "the pool back to full size: "
                + executor.stats());
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
    }

    @Test
    void everyFailureKindIsTypedTheCallerGoesOnAndThePoolHeals() throws Exception {
        executor = IsolatedExecutor.start(config().breaker(100, Duration.ofSeconds(60), Duration.ofSeconds(1)).build());
        awaitFullPool(System.nanoTime());
        assertThat(executor.submit(Echo.class, bytes("warm")).get(60, TimeUnit.SECONDS)).isEqualTo(bytes("warm"));

        record Case(Class<? extends IsolatedJob> job, String input, Duration timeout, Class<? extends IsolatedJobException> type,
                java.util.function.Consumer<IsolatedJobException> check) {
        }
        List<Case> cases = List.of(
                new Case(Exit.class, "", Duration.ofSeconds(30), ChildExitedException.class,
                        e -> assertThat(((ChildExitedException) e).exitCode()).isEqualTo(3)),
                new Case(Halt.class, "", Duration.ofSeconds(30), ChildExitedException.class,
                        e -> assertThat(((ChildExitedException) e).exitCode()).isEqualTo(7)),
                new Case(HeapBomb.class, "", Duration.ofSeconds(30), ChildOutOfMemoryException.class,
                        e -> assertThat(e.stderrTail()).anyMatch(l -> l.contains("OutOfMemoryError"))),
                new Case(Forever.class, "", Duration.ofMillis(500), JobTimeoutException.class,
                        e -> assertThat(((JobTimeoutException) e).timeoutMillis()).isEqualTo(500)),
                new Case(Recurse.class, "", Duration.ofSeconds(30), JobFailedException.class,
                        e -> assertThat(((JobFailedException) e).remoteType()).isEqualTo("java.lang.StackOverflowError")),
                new Case(Segfault.class, "", Duration.ofSeconds(30), ChildCrashedException.class, e -> {
                    assertThat(((ChildCrashedException) e).signalName()).isEqualTo("SIGSEGV");
                    assertThat(((ChildCrashedException) e).errorFile()).contains("hs_err_pid");
                }),
                new Case(Throws.class, "x", Duration.ofSeconds(30), JobFailedException.class, e -> {
                    JobFailedException f = (JobFailedException) e;
                    assertThat(f.remoteType()).isEqualTo("java.lang.IllegalStateException");
                    assertThat(f.remoteMessage()).isEqualTo("bad input: x");
                    assertThat(f.remoteStackTrace()).contains("TestJobs$Throws.run").contains("Caused by: java.lang.ArithmeticException");
                }),
                new Case(Big.class, Integer.toString(2 << 20), Duration.ofSeconds(30), OutputTooLargeException.class,
                        e -> assertThat(((OutputTooLargeException) e).size()).isEqualTo(2 << 20)));
        for (Case c : cases) {
            long before = System.nanoTime();
            Throwable t = failure(executor.submit(c.job(), bytes(c.input()), c.timeout()));
            assertThat(t).as(c.job().getSimpleName()).isInstanceOf(c.type());
            IsolatedJobException e = (IsolatedJobException) t;
            assertThat(e.jobClass()).isEqualTo(c.job().getName());
            c.check().accept(e);
            long healed = awaitFullPool(before);
            System.out.printf("IsolatedExecutorIT: %s -> %s (%s); pool full again %d ms after submission%n", c.job().getSimpleName(),
                    e.getClass().getSimpleName(), e.httpStatus(), healed);
            assertThat(executor.submit(Echo.class, bytes("after " + c.job().getSimpleName())).get(60, TimeUnit.SECONDS))
                    .isEqualTo(bytes("after " + c.job().getSimpleName()));
        }
        IsolatedStats stats = executor.stats();
        assertThat(stats.failuresByKind().get(IsolatedJobException.Kind.EXITED)).isEqualTo(2);
        assertThat(stats.failuresByKind().get(IsolatedJobException.Kind.OUT_OF_MEMORY)).isEqualTo(1);
        assertThat(stats.failuresByKind().get(IsolatedJobException.Kind.TIMED_OUT)).isEqualTo(1);
        assertThat(stats.failuresByKind().get(IsolatedJobException.Kind.NATIVE_CRASH)).isEqualTo(1);
        assertThat(stats.failuresByKind().get(IsolatedJobException.Kind.JOB_THREW)).isEqualTo(2);
        assertThat(stats.failuresByKind().get(IsolatedJobException.Kind.OUTPUT_TOO_LARGE)).isEqualTo(1);
        assertThat(stats.latencyCount()).isEqualTo(stats.succeeded() + stats.failed());
    }

    @Test
    void aThousandJobsWithCrashesMixedInLeakNoDescriptorsThreadsOrProcesses() throws Exception {
        // warm up what is loaded once (classes, the timer, jars): then measure
        try (IsolatedExecutor warm = IsolatedExecutor.start(config().build())) {
            warm.submit(Echo.class, bytes("x")).get(60, TimeUnit.SECONDS);
        }
        awaitTrue(() -> ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive), Duration.ofSeconds(10), "warm-up children");
        long fdsBefore = openFds();
        long threadsBefore = ownThreads().count();

        executor = IsolatedExecutor.start(config().breaker(1_000, Duration.ofSeconds(60), Duration.ofSeconds(1)).maxJobsPerChild(200)
                .queueCapacity(1_000).build());
        List<CompletableFuture<byte[]>> jobs = new java.util.ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            jobs.add(i % 100 == 99 ? executor.submit(Exit.class, bytes("")) : executor.submit(Echo.class, bytes("job " + i)));
        }
        int ok = 0;
        int crashed = 0;
        for (int i = 0; i < jobs.size(); i++) {
            try {
                assertThat(jobs.get(i).get(120, TimeUnit.SECONDS)).isEqualTo(bytes("job " + i));
                ok++;
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(ChildExitedException.class);
                crashed++;
            }
        }
        assertThat(ok).isEqualTo(990);
        assertThat(crashed).isEqualTo(10);
        executor.close();
        executor = null;

        awaitTrue(() -> ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive), Duration.ofSeconds(10), "children");
        awaitTrue(() -> ownThreads().count() <= threadsBefore, Duration.ofSeconds(10),
                "threads back to " + threadsBefore + ": " + ownThreads().map(Thread::getName).sorted().toList());
        awaitTrue(() -> openFds() <= fdsBefore + 2, Duration.ofSeconds(10), "file descriptors back to " + fdsBefore + ", are "
                + openFds());
    }

    /**
     * The live threads, less the JDK's own caches, whose idle threads live on for a minute after
     * use whoever used them: the process reaper pool (one thread per child waited for) and the
     * common fork-join pool.
     */
    static java.util.stream.Stream<Thread> ownThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !t.getName().equals("process reaper") && !t.getName().startsWith("ForkJoinPool.commonPool-worker-"));
    }

    static long openFds() {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aJobClassThatKeepsCrashingIsQuarantinedWhileOthersRun() throws Exception {
        executor = IsolatedExecutor.start(config().breaker(3, Duration.ofSeconds(60), Duration.ofSeconds(60)).build());
        for (int i = 0; i < 3; i++) {
            assertThat(failure(executor.submit(Exit.class, bytes("")))).isInstanceOf(ChildExitedException.class);
        }
        awaitFullPool(System.nanoTime());
        long startedBefore = executor.stats().childrenStarted();
        for (int i = 0; i < 5; i++) {
            Throwable t = failure(executor.submit(Exit.class, bytes("")));
            assertThat(t).isInstanceOfSatisfying(IsolatedRejectedException.class, r -> {
                assertThat(r.reason()).isEqualTo(IsolatedRejectedException.Reason.BREAKER_OPEN);
                assertThat(r.retryAfterSeconds()).isBetween(1L, 60L);
                assertThat(r.httpStatus()).isEqualTo(503);
            });
            assertThat(executor.submit(Echo.class, bytes("still fine")).get(60, TimeUnit.SECONDS)).isEqualTo(bytes("still fine"));
        }
        assertThat(executor.stats().childrenStarted()).as("no child forked for a quarantined class").isEqualTo(startedBefore);
        assertThat(executor.stats().openBreakers()).containsExactly(Exit.class.getName());
    }

    @Test
    void aHalfOpenBreakerClosesOnSuccessAndReopensOnACrash() throws Exception {
        executor = IsolatedExecutor.start(config().breaker(1, Duration.ofSeconds(60), Duration.ofMillis(300)).build());
        assertThat(failure(executor.submit(Exit.class, bytes("")))).isInstanceOf(ChildExitedException.class);
        assertThat(failure(executor.submit(Exit.class, bytes("")))).isInstanceOf(IsolatedRejectedException.class);
        awaitTrue(() -> executor.stats().openBreakers().isEmpty(), Duration.ofSeconds(10), "the cool-down to end");
        assertThat(failure(executor.submit(Exit.class, bytes("")))).isInstanceOf(ChildExitedException.class);
        assertThat(failure(executor.submit(Exit.class, bytes("")))).isInstanceOf(IsolatedRejectedException.class);
    }

    @Test
    void cancellingARunningJobKillsItsChild() throws Exception {
        executor = IsolatedExecutor.start(config().poolSize(1).build());
        long pid = Long.parseLong(new String(executor.submit(Pid.class, bytes("")).get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        CompletableFuture<byte[]> forever = executor.submit(Forever.class, bytes(""), Duration.ofMinutes(5));
        awaitTrue(() -> executor.stats().busyChildren() == 1, Duration.ofSeconds(10), "the job to run");
        assertThat(forever.cancel(true)).isTrue();
        awaitTrue(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), Duration.ofSeconds(10), "child " + pid + " killed");
        long next = Long.parseLong(new String(executor.submit(Pid.class, bytes("")).get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        assertThat(next).isNotEqualTo(pid);
        assertThat(executor.stats().failuresByKind().get(IsolatedJobException.Kind.KILLED)).isZero();
    }

    @Test
    void aCallerInterruptedWhileItWaitsHasTheJobsChildKilled() throws Exception {
        executor = IsolatedExecutor.start(config().poolSize(1).build());
        long pid = Long.parseLong(new String(executor.submit(Pid.class, bytes("")).get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        java.util.concurrent.atomic.AtomicReference<Throwable> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                executor.call(Forever.class, bytes(""), Duration.ofMinutes(5));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        awaitTrue(() -> executor.stats().busyChildren() == 1, Duration.ofSeconds(10), "the job to run");
        caller.interrupt();
        awaitTrue(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), Duration.ofSeconds(10), "child " + pid + " killed");
        caller.join(Duration.ofSeconds(10));
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
    }

    @Test
    void aFullQueueRejectsAtOnceAndQueuedJobsTimeOutFromSubmission() throws Exception {
        executor = IsolatedExecutor.start(config().poolSize(1).queueCapacity(1).build());
        executor.submit(Echo.class, bytes("warm")).get(60, TimeUnit.SECONDS);
        CompletableFuture<byte[]> running = executor.submit(Sleep.class, bytes("1500"));
        awaitTrue(() -> executor.stats().busyChildren() == 1, Duration.ofSeconds(10), "the first job to run");
        CompletableFuture<byte[]> queued = executor.submit(Echo.class, bytes("queued"), Duration.ofMillis(200));
        Throwable refused = failure(executor.submit(Echo.class, bytes("one too many")));
        assertThat(refused).isInstanceOfSatisfying(IsolatedRejectedException.class, r -> {
            assertThat(r.reason()).isEqualTo(IsolatedRejectedException.Reason.QUEUE_FULL);
            assertThat(r.retryAfterSeconds()).isPositive();
        });
        assertThat(failure(queued)).isInstanceOf(JobTimeoutException.class);
        assertThat(running.get(60, TimeUnit.SECONDS)).isEqualTo(bytes("slept"));
    }

    @Test
    void childrenAreRecycledAfterMaxJobsWithoutAGap() throws Exception {
        executor = IsolatedExecutor.start(config().poolSize(1).maxJobsPerChild(5).build());
        List<Long> pids = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (pids.stream().distinct().count() < 3 && System.nanoTime() < deadline) { // jobs until a second replacement served
            pids.add(Long.parseLong(new String(executor.submit(Pid.class, bytes("")).get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8)));
            Thread.sleep(5); // a client's pace; the replacements boot meanwhile
        }
        List<Long> order = pids.stream().distinct().toList();
        assertThat(order).as("children in the order they served").hasSizeGreaterThanOrEqualTo(2);
        for (Long pid : order.subList(0, order.size() - 1)) {
            // a recycled child serves its 5 jobs, and more while its replacement boots: never a wait for a cold start
            assertThat(pids.stream().filter(pid::equals).count()).isGreaterThanOrEqualTo(5);
            assertThat(pids.lastIndexOf(pid)).as("a child never serves again once replaced").isLessThan(pids.indexOf(order.get(order.indexOf(pid) + 1)) + 1);
        }
        assertThat(executor.stats().failed()).isZero();
        awaitTrue(() -> ProcessHandle.current().children().filter(ProcessHandle::isAlive).count() == 1, Duration.ofSeconds(10),
                "one child left: " + ProcessHandle.current().children().toList());
    }

    @Test
    void jsonJobsAndBadSubmissions() throws Exception {
        executor = IsolatedExecutor.start(config().build());
        Add.Sum sum = executor.submitJson(Add.class, new Add.Numbers(2, 40), Add.Sum.class, Duration.ofSeconds(30)).get(60, TimeUnit.SECONDS);
        assertThat(sum.sum()).isEqualTo(42);
        assertThat(sum.pid()).isNotEqualTo(ProcessHandle.current().pid());
        assertThatThrownBy(() -> executor.submit(Unregistered.class, bytes(""))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not registered");
        assertThatThrownBy(() -> executor.submit(Echo.class, new byte[(16 << 20) + 1])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("over the limit");
        assertThatThrownBy(() -> IsolatedConfig.builder().register(Unregistered.class).poolSize(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("poolSize");
        assertThatThrownBy(() -> executor.call(Throws.class, bytes("y"), Duration.ofSeconds(30))).isInstanceOf(JobFailedException.class);
    }

    @Test
    void closeDrainsRunningJobsThenRefuses() throws Exception {
        executor = IsolatedExecutor.start(config().poolSize(1).build());
        executor.submit(Echo.class, bytes("warm")).get(60, TimeUnit.SECONDS);
        CompletableFuture<byte[]> running = executor.submit(Sleep.class, bytes("300"));
        awaitTrue(() -> executor.stats().busyChildren() == 1, Duration.ofSeconds(10), "the job to run");
        executor.close();
        assertThat(running.get(1, TimeUnit.SECONDS)).isEqualTo(bytes("slept"));
        assertThat(failure(executor.submit(Echo.class, bytes("late")))).isInstanceOfSatisfying(IsolatedRejectedException.class,
                r -> assertThat(r.reason()).isEqualTo(IsolatedRejectedException.Reason.SHUT_DOWN));
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList()).isEmpty();
    }
}
