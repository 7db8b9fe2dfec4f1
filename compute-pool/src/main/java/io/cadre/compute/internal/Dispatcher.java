package io.cadre.compute.internal;

/**
 * Runs the tasks of the pool's run queue (each already holds a lane slot) on threads of one
 * kind. Every method may be called from any thread; none blocks except
 * {@link #awaitTermination(long)}.
 */
interface Dispatcher {
    /** A task was added to the run queue; see that it gets a thread. Never blocks. */
    void taskQueued();

    /** The pool has stopped: interrupts every thread that runs a task, and wakes idle ones. */
    void interruptAll();

    /** @return true if every compute thread ended before {@code deadlineNanos} (System.nanoTime) */
    boolean awaitTermination(long deadlineNanos);

    /** @return true if every compute thread runs at the configured nice value */
    boolean nicenessApplied();
}
