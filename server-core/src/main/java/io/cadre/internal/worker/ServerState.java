package io.cadre.internal.worker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The state one worker's HTTP server shares between its IO threads, request threads and the
 * thread that drains it. Writes to the volatile fields happen-before any request that reads them
 * afterwards.
 */
final class ServerState {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final java.util.concurrent.atomic.LongAdder served = new java.util.concurrent.atomic.LongAdder();
    private final CompletableFuture<Void> idleWhileDraining = new CompletableFuture<>();
    private volatile boolean ready;
    private volatile boolean draining;
    private volatile String clusterState = "OK";

    void requestStarted() {
        inFlight.incrementAndGet();
    }

    void requestFinished() {
        served.increment();
        if (inFlight.decrementAndGet() == 0 && draining) {
            idleWhileDraining.complete(null);
        }
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Requests answered since the worker started. */
    long served() {
        return served.sum();
    }

    /** Starts draining; the returned future completes once no request is in flight. */
    CompletableFuture<Void> startDraining() {
        draining = true;
        if (inFlight.get() == 0) {
            idleWhileDraining.complete(null);
        }
        return idleWhileDraining;
    }

    boolean draining() {
        return draining;
    }

    boolean ready() {
        return ready && !draining;
    }

    void markReady() {
        ready = true;
    }

    String clusterState() {
        return clusterState;
    }

    void clusterState(String state) {
        clusterState = state;
    }
}
