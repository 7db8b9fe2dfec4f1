package io.cadre.compute.internal;

import java.util.Queue;
import org.jctools.queues.MpmcArrayQueue;
import org.jctools.queues.MpmcUnboundedXaddArrayQueue;

/**
 * The pool's only multi-producer, multi-consumer queue: a JCTools queue behind this small
 * interface, so that no lock-free code is written here. Every method may be called from any
 * thread; an element offered happens-before it is polled. It never blocks: callers that must
 * wait count elements with a {@link java.util.concurrent.Semaphore}.
 *
 * @param <E> the element type
 */
interface TaskQueue<E> {
    /** @return true if the element was added; false if a bounded queue is full */
    boolean offer(E element);

    /** @return the oldest element, or null if the queue is empty */
    E poll();

    /** @return true if no element is queued (a snapshot) */
    boolean isEmpty();

    /**
     * A queue that holds at least {@code capacity} elements (JCTools rounds up to a power of two,
     * so callers that need the exact bound count it themselves).
     */
    static <E> TaskQueue<E> bounded(int capacity) {
        return new JcTools<>(new MpmcArrayQueue<>(Math.max(2, capacity)));
    }

    /**
     * A queue without a capacity of its own, for elements whose number the caller already bounds
     * (the pool's run queue holds only tasks that own a lane slot). Grows in chunks of 256.
     */
    static <E> TaskQueue<E> unbounded() {
        return new JcTools<>(new MpmcUnboundedXaddArrayQueue<>(256));
    }

    /** Adapts a JCTools queue. */
    record JcTools<E>(Queue<E> queue) implements TaskQueue<E> {
        @Override
        public boolean offer(E element) {
            return queue.offer(element);
        }

        @Override
        public E poll() {
            return queue.poll();
        }

        @Override
        public boolean isEmpty() {
            return queue.isEmpty();
        }
    }
}
