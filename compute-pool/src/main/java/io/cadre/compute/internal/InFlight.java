package io.cadre.compute.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the pool's admitted, unfinished tasks and lets shutdown wait for the count to reach 0.
 * Any thread may count; the lock is taken only to signal a waiter, when the count reaches 0
 * while someone may wait.
 */
final class InFlight {
    private final AtomicInteger count = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition zero = lock.newCondition();

    void increment() {
        count.incrementAndGet();
    }

    void decrement(boolean someoneMayWait) {
        if (count.decrementAndGet() == 0 && someoneMayWait) {
            lock.lock();
            try {
                zero.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Waits until the count is 0, the deadline passes, or the caller is interrupted. */
    void awaitZero(long deadlineNanos) {
        lock.lock();
        try {
            long left;
            while (count.get() > 0 && (left = deadlineNanos - System.nanoTime()) > 0) {
                zero.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }
}
