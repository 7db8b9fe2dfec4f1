package io.cadre.compute.isolated;

/**
 * Work that runs in a child JVM of an {@link IsolatedExecutor}, by class name: a public class with
 * a public no-argument constructor, registered with {@link IsolatedConfig.Builder#register}. The
 * child makes one instance per class and reuses it for every job of that class it runs, one job at
 * a time. Input and output are bytes (for JSON, extend {@link JsonJob}); nothing crosses the
 * process boundary through Java serialization.
 *
 * <p>Whatever the job does to its process (exits, halts, exhausts the heap, loops, crashes in
 * native code) costs that child JVM only; the caller gets a typed {@link IsolatedJobException}.
 * Output written to {@code System.out} or {@code System.err} goes to the child's stderr, whose
 * last lines ride along with a failure.
 */
@FunctionalInterface
public interface IsolatedJob {
    /** Runs one job. An exception thrown here reaches the caller as a {@link JobFailedException}. */
    byte[] run(byte[] input) throws Exception;
}
