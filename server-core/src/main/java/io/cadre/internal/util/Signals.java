package io.cadre.internal.util;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Replaces the JVM's handling of a POSIX signal. The JVM's own handlers for TERM, INT and HUP start
 * its shutdown (and end with exit code 143); Cadre needs to drain first and choose its exit code.
 * Handlers run on a short-lived thread the JVM starts per signal; they must only hand work off.
 */
public final class Signals {
    private Signals() {
    }

    /** Runs {@code action} on each delivery of signal {@code name} (e.g. {@code "TERM"}). */
    public static void handle(String name, Runnable action) {
        Signal.handle(new Signal(name), signal -> action.run());
    }

    /** Ignores signal {@code name}. */
    public static void ignore(String name) {
        Signal.handle(new Signal(name), SignalHandler.SIG_IGN);
    }
}
