package io.cadre.state.internal.redis;

import java.io.File;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A watchdog shell that ends a redis-server when the process that owns it dies, even by SIGKILL:
 * Java cannot set {@code PR_SET_PDEATHSIG}, so a {@code /bin/sh} next to redis-server polls the
 * parent with {@code kill -0} every second; once the parent is gone it sends SIGTERM to
 * redis-server and SIGKILL 2 seconds later if it still runs. The shell ends by itself when
 * redis-server exits first, and at once on {@link #close()}. Needs only {@code /bin/sh},
 * {@code kill} and {@code sleep}.
 *
 * <p>Safe to call from any thread.
 */
final class ParentGuard implements AutoCloseable {
    /**
     * $1: the parent pid, $2: the redis-server pid, $3: a directory to remove after a parent's death, or empty. A TERM to the shell also ends its {@code sleep}.
     * It runs in a session of its own and ignores hang-up, Ctrl-C and Ctrl-\ besides, so that no
     * terminal signal meant for the primary ends the watchdog and leaves Redis unguarded.
     */
    static final String SCRIPT = """
            p=$1; r=$2; s=
            trap '' HUP INT QUIT
            trap 'kill "$s" 2>/dev/null; exit 0' TERM
            while kill -0 "$p" 2>/dev/null && kill -0 "$r" 2>/dev/null; do sleep 1 & s=$!; wait "$s"; done
            kill -0 "$p" 2>/dev/null && exit 0
            kill -TERM "$r" 2>/dev/null
            i=0; while [ "$i" -lt 20 ] && kill -0 "$r" 2>/dev/null; do sleep 0.1; i=$((i+1)); done
            kill -KILL "$r" 2>/dev/null
            [ -n "$3" ] && rm -rf -- "$3"
            exit 0
            """;
    /** How the watchdog shows in {@code ps}: its {@code $0}. */
    static final String NAME = "cadre-redis-guard";

    private final Process process;

    private ParentGuard(Process process) {
        this.process = process;
    }

    /**
     * Starts a watchdog that ends {@code redisPid} when {@code parentPid} dies, and then removes
     * {@code cleanupDir} (the server's own temporary directory; null: none), which its dead owner
     * can no longer delete.
     */
    static ParentGuard start(long parentPid, long redisPid, java.nio.file.Path cleanupDir) throws IOException {
        Process p = new ProcessBuilder(Posix.ownSession(java.util.List.of(Posix.SH, "-c", SCRIPT, NAME, Long.toString(parentPid),
                Long.toString(redisPid), cleanupDir == null ? "" : cleanupDir.toString())))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        return new ParentGuard(p);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the watchdog (SIGTERM, then SIGKILL) and waits for it, at most about 2 seconds. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(1, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
