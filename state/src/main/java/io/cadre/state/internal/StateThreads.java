package io.cadre.state.internal;

import java.util.concurrent.Executor;

/**
 * Where the state filters run Redis calls that must not block the thread they are on: an
 * Undertow IO thread (a {@code @NonBlocking} route) or the Netty event loop that completed a
 * route's {@code CompletionStage} (a Redisson future, say), which would wait for an answer only it
 * can read. One new virtual thread per task.
 */
final class StateThreads {
    static final Executor BLOCKING = task -> Thread.ofVirtual().name("cadre-state").start(task);

    private StateThreads() {
    }
}
