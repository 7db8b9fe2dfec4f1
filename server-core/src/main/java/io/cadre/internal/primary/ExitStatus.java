package io.cadre.internal.primary;

import java.util.Map;

/** Words for a worker's exit status. The JDK reports death by signal S as exit code 128 + S. */
final class ExitStatus {
    private static final Map<Integer, String> SIGNALS = Map.of(
            1, "SIGHUP", 2, "SIGINT", 3, "SIGQUIT", 4, "SIGILL", 6, "SIGABRT",
            7, "SIGBUS", 8, "SIGFPE", 9, "SIGKILL", 11, "SIGSEGV", 15, "SIGTERM");

    private ExitStatus() {
    }

    static String describe(int code) {
        if (code > 128 && code < 160) {
            int signal = code - 128;
            return "was killed by signal " + signal + " (" + SIGNALS.getOrDefault(signal, "SIG" + signal) + ")";
        }
        return "exited with code " + code;
    }
}
