package io.cadre;

import io.cadre.internal.Settings;
import io.cadre.internal.primary.PrimaryRuntime;
import io.cadre.internal.worker.WorkerEnv;
import io.cadre.internal.worker.WorkerRuntime;
import java.util.Map;

/**
 * Cadre's entry point. Call {@link #run} from {@code main}: the same {@code main} runs as the
 * primary, which forks one worker JVM per core (by default) and supervises them, and as each
 * worker, which serves the app's routes on the shared port. Which one it is comes from the
 * environment the primary sets for its workers ({@code CADRE_WORKER_ID}), as in Node's cluster.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     Cadre.run(App.builder().get("/hello", req -> "Hello").build(), args);
 * }
 * }</pre>
 *
 * Linux only: the primary refuses to start elsewhere with a one-line message.
 */
public final class Cadre {
    private Cadre() {
    }

    /**
     * Runs {@code app} as the primary or as a worker and exits the JVM with the resulting code
     * (see {@link ExitCodes}). Bad arguments, and routes declared wrongly ({@link App#problems()}),
     * print one line each and exit with {@link ExitCodes#USAGE}.
     */
    public static void run(App app, String... args) {
        System.exit(launch(app, args, System.getenv()));
    }

    /** Like {@link #run} but returns the exit code instead of exiting. */
    static int launch(App app, String[] args, Map<String, String> env) {
        if (!app.problems().isEmpty()) {
            app.problems().forEach(problem -> System.err.println("cadre: " + problem));
            return ExitCodes.USAGE;
        }
        boolean worker = WorkerEnv.isWorker(env);
        if (!worker && args.length > 0 && args[0].equals("ctl")) {
            return io.cadre.internal.primary.Control.client(java.util.Arrays.copyOfRange(args, 1, args.length), env, System.out, System.err);
        }
        Settings settings;
        try {
            settings = Settings.parse(app, args, env);
        } catch (Settings.UsageException e) {
            System.err.println("cadre: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (settings.help() && !worker) {
            System.out.print(Settings.usage(app));
            return ExitCodes.OK;
        }
        if (worker) {
            WorkerEnv workerEnv;
            try {
                workerEnv = WorkerEnv.from(env);
            } catch (IllegalArgumentException e) {
                System.err.println("cadre: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            return WorkerRuntime.run(app, settings, workerEnv);
        }
        return PrimaryRuntime.run(app, settings, args, env);
    }

    /** Whether this process is a Cadre worker (as opposed to the primary). */
    public static boolean isWorker() {
        return WorkerEnv.isWorker(System.getenv());
    }
}
