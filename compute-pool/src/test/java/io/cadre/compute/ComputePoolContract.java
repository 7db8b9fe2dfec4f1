package io.cadre.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cadre.compute.ComputeRejectedException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every kind of compute pool promises; run against each {@link ComputePoolConfig.Kind} by a
 * subclass. Tasks block on latches, so nothing here depends on timing.
 */
abstract class ComputePoolContract {
    private final List<ComputePool> pools = new ArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);

    abstract ComputePoolConfig.Kind kind();

    /** Asserts that {@code thread} is one of this kind's compute threads. */
    abstract void assertComputeThread(Thread thread);

    ComputePool pool(int threads, LaneOptions defaultLane) {
        return pool(threads, defaultLane, System::nanoTime);
    }

    ComputePool pool(int threads, LaneOptions defaultLane, LongSupplier clock) {
        ComputePoolConfig config = ComputePoolConfig.builder().threads(threads).kind(kind())
                .niceness(0).defaultLane(defaultLane).build();
        ComputePool pool = ComputePool.start(config, clock);
        pools.add(pool);
        return pool;
    }

    @AfterEach
    void releaseAndClose() {
        gate.countDown();
        pools.forEach(pool -> pool.shutdown(5_000));
    }

    /** A task that says it started, then waits for the gate. */
    private Integer blockOnGate(CountDownLatch started, int value) throws InterruptedException {
        started.countDown();
        gate.await();
        return value;
    }

    private static Reason reasonOf(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        Throwable cause = future.handle((value, failure) -> failure).orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(cause).isInstanceOf(ComputeRejectedException.class);
        return ((ComputeRejectedException) cause).reason();
    }

    @Test
    void tasksRunOnTheComputeThreadsAndCompleteTheirFutures() {
        ComputePool pool = pool(2, LaneOptions.defaultsFor(2));
        assertComputeThread(pool.submit(Thread::currentThread).orTimeout(30, TimeUnit.SECONDS).join());
        assertThat(pool.submit(() -> 6 * 7).orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo(42);
        CompletableFuture<Object> failing = pool.submit(() -> {
            throw new IllegalStateException("boom");
        });
        assertThatThrownBy(failing::join).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(pool.stats().kind()).isEqualTo(kind());
        assertThat(pool.stats().completed()).isEqualTo(3);
    }

    @Test
    void aFullLaneRunsTwoQueuesFourAndRefusesTheRestAtOnce() {
        ComputePool pool = pool(2, LaneOptions.defaultsFor(2));
        Lane lane = pool.lane("busy", new LaneOptions(2, 4, 60_000));
        CountDownLatch started = new CountDownLatch(2);
        AtomicInteger runs = new AtomicInteger();
        List<CompletableFuture<Integer>> accepted = new ArrayList<>();
        List<CompletableFuture<Integer>> refused = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int value = i;
            CompletableFuture<Integer> future = lane.submit(() -> {
                runs.incrementAndGet();
                return blockOnGate(started, value);
            });
            (i < 6 ? accepted : refused).add(future);
        }
        assertThat(refused).allSatisfy(future -> {
            assertThat(reasonOf(future)).isEqualTo(Reason.QUEUE_FULL);
            ComputeRejectedException e = (ComputeRejectedException) future.handle((v, t) -> t).orTimeout(30, TimeUnit.SECONDS).join();
            assertThat(e.retryAfterSeconds()).isGreaterThanOrEqualTo(1);
        });
        Await.on(started);
        LaneStats busy = lane.stats();
        assertThat(busy.running()).isEqualTo(2);
        assertThat(busy.queued()).isEqualTo(4);
        assertThat(busy.rejected(Reason.QUEUE_FULL)).isEqualTo(14);
        assertThat(accepted).noneMatch(CompletableFuture::isDone);

        gate.countDown();
        assertThat(accepted.stream().map(CompletableFuture::join)).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(runs).hasValue(6);
        assertThat(lane.stats().completed()).isEqualTo(6);
        assertThat(pool.stats().rejected(Reason.QUEUE_FULL)).isEqualTo(14);
    }

    @Test
    void aLaneNeverRunsMoreThanItsMaxConcurrencyWhileOtherThreadsAreFree() {
        ComputePool pool = pool(4, LaneOptions.defaultsFor(4));
        Lane narrow = pool.lane("narrow", new LaneOptions(2, 20, 60_000));
        CountDownLatch started = new CountDownLatch(2);
        AtomicInteger current = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int value = i;
            futures.add(narrow.submit(() -> {
                most.accumulateAndGet(current.incrementAndGet(), Math::max);
                try {
                    return blockOnGate(started, value);
                } finally {
                    current.decrementAndGet();
                }
            }));
        }
        Await.on(started);
        assertThat(narrow.stats().running()).isEqualTo(2);
        assertThat(narrow.stats().queued()).isEqualTo(8);
        // The pool's other two threads are free: another lane's work runs meanwhile.
        assertThat(pool.submit(() -> "free").orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo("free");

        gate.countDown();
        futures.forEach(CompletableFuture::join);
        assertThat(most).hasValue(2);
        assertThat(narrow.stats().completed()).isEqualTo(10);
    }

    @Test
    void aTaskThatWaitedPastTheQueueTimeoutIsRefusedWithoutRunning() {
        AtomicLong clock = new AtomicLong();
        ComputePool pool = pool(1, new LaneOptions(1, 1, 50), clock::get);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Integer> blocker = pool.submit(() -> blockOnGate(started, 1));
        Await.on(started);
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<Boolean> late = pool.submit(() -> ran.getAndSet(true));

        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(51));
        gate.countDown();
        assertThat(blocker.orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo(1);
        Await.until("the late task is refused", late::isDone);
        assertThat(reasonOf(late)).isEqualTo(Reason.QUEUE_TIMEOUT);
        assertThat(ran).isFalse();
        assertThat(pool.stats().rejected(Reason.QUEUE_TIMEOUT)).isEqualTo(1);
        assertThat(pool.stats().completed()).isEqualTo(1);
    }

    @Test
    void aTaskNoLongerWantedWhenItWouldStartIsCancelledAndCountedAsDropped() {
        ComputePool pool = pool(1, LaneOptions.defaultsFor(1));
        CountDownLatch started = new CountDownLatch(1);
        pool.submit(() -> blockOnGate(started, 1));
        Await.on(started);
        AtomicBoolean clientConnected = new AtomicBoolean(true);
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<Boolean> orphan = pool.submit(() -> ran.getAndSet(true), clientConnected::get);

        clientConnected.set(false);
        gate.countDown();
        assertThatThrownBy(orphan::join).isInstanceOf(CancellationException.class);
        assertThat(ran).isFalse();
        assertThat(pool.stats().dropped()).isEqualTo(1);
        assertThat(pool.defaultLane().stats().dropped()).isEqualTo(1);
    }

    @Test
    void aFutureCancelledBeforeItsTaskStartsKeepsTheTaskFromRunning() {
        ComputePool pool = pool(1, LaneOptions.defaultsFor(1));
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Integer> blocker = pool.submit(() -> blockOnGate(started, 1));
        Await.on(started);
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<Boolean> cancelled = pool.submit(() -> ran.getAndSet(true));
        cancelled.cancel(false);

        gate.countDown();
        blocker.orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(pool.submit(() -> "after").orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo("after");
        assertThat(ran).isFalse();
        assertThat(pool.stats().queued()).isZero();
    }

    @Test
    void shutdownLetsRunningAndQueuedWorkFinishWithinTheDrainAndRefusesNewWork() throws Exception {
        ComputePool pool = pool(1, new LaneOptions(1, 4, 60_000));
        CountDownLatch started = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        CompletableFuture<Integer> running = pool.submit(() -> {
            threads.add(Thread.currentThread());
            return blockOnGate(started, 1);
        });
        Await.on(started);
        CompletableFuture<Integer> queued = pool.submit(() -> 2);

        CompletableFuture<Boolean> terminated = CompletableFuture.supplyAsync(() -> pool.shutdown(30_000));
        Await.until("the pool stops accepting", pool::isShutdown);
        assertThat(reasonOf(pool.submit(() -> 3))).isEqualTo(Reason.SHUT_DOWN);
        assertThat(pool.stats().rejected(Reason.SHUT_DOWN)).isEqualTo(1);

        gate.countDown();
        assertThat(terminated.get(Await.BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(running.orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo(1);
        assertThat(queued.orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo(2);
        assertThat(threads.get(0).join(Await.BOUND)).isTrue();
        assertThat(pool.shutdown(0)).as("shutdown is idempotent").isTrue();
    }

    @Test
    void shutdownRefusesWhatIsStillQueuedAfterTheDrainAndInterruptsRunningTasks() {
        ComputePool pool = pool(1, new LaneOptions(1, 4, 60_000));
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Integer> stuck = pool.submit(() -> blockOnGate(started, 1));
        Await.on(started);
        AtomicInteger ran = new AtomicInteger();
        List<CompletableFuture<Integer>> queued = List.of(
                pool.submit(ran::incrementAndGet), pool.submit(ran::incrementAndGet));

        pool.shutdown(20);
        // refused as SHUT_DOWN, not cancelled: a route reads a cancellation as its client having left
        assertThat(queued).allSatisfy(f -> assertThat(reasonOf(f)).isEqualTo(Reason.SHUT_DOWN));
        assertThatThrownBy(stuck::join).hasCauseInstanceOf(InterruptedException.class);
        assertThat(pool.awaitTermination(Await.BOUND.toMillis())).isTrue();
        assertThat(ran).hasValue(0);
        assertThat(pool.stats().queued()).isZero();
        assertThat(reasonOf(pool.submit(() -> 3))).isEqualTo(Reason.SHUT_DOWN);
    }

    @Test
    void anInterruptedShutdownStopsThePoolAtOnce() {
        ComputePool pool = pool(1, new LaneOptions(1, 4, 60_000));
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Integer> stuck = pool.submit(() -> blockOnGate(started, 1));
        Await.on(started);
        CompletableFuture<Integer> queued = pool.submit(() -> 2);
        Thread.currentThread().interrupt();
        try {
            assertThat(pool.shutdown(60_000)).as("no drain: it returns at once").isFalse();
            assertThat(Thread.currentThread().isInterrupted()).as("the caller keeps its interrupt").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(reasonOf(queued)).isEqualTo(Reason.SHUT_DOWN);
        assertThatThrownBy(stuck::join).hasCauseInstanceOf(InterruptedException.class);
        assertThat(pool.awaitTermination(Await.BOUND.toMillis())).isTrue();
    }

    @Test
    void closeIsIdempotentAndRefusesLaterSubmissions() {
        ComputePool pool = pool(1, LaneOptions.defaultsFor(1));
        Lane lane = pool.lane("route", LaneOptions.defaultsFor(1));
        pool.close();
        pool.close();
        assertThat(reasonOf(lane.submit(() -> 1))).isEqualTo(Reason.SHUT_DOWN);
        assertThat(pool.awaitTermination(Await.BOUND.toMillis())).isTrue();
    }
}
