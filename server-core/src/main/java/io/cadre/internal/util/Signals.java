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

    /**
     * Runs {@code action} on each delivery of signal {@code name} (e.g. {@code "TERM"}). Returns
     * false when the process was started with the signal ignored (as {@code nohup} does with HUP):
     * the JVM then leaves it ignored and {@code action} never runs.
     */
    public static boolean handle(String name, Runnable action) {
        return Signal.handle(new Signal(name), signal -> action.run()) != SignalHandler.SIG_IGN;
    }

    /**
     * Sends signal {@code name} (e.g. {@code "QUIT"}) to process {@code pid}; the JDK can only send
     * TERM and KILL. Uses the {@code kill} built into {@code /bin/sh}, present even where procps is
     * not installed, with the name and pid as arguments (never parsed by the shell). Returns whether
     * {@code kill} succeeded (false: no such process, not ours, or no answer within 2 s).
     */
    public static boolean send(long pid, String name) {
        try {
            Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -s \"$1\" \"$2\" 2>/dev/null", "cadre-kill", name, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                return false;
            }
            return kill.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Ignores signal {@code name}. */
    public static void ignore(String name) {
        Signal.handle(new Signal(name), SignalHandler.SIG_IGN);
    }
}
