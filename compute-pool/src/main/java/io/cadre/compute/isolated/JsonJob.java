package io.cadre.compute.isolated;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An {@link IsolatedJob} whose input and output are JSON, bound through Jackson: submit it with
 * {@link IsolatedExecutor#submitJson}.
 *
 * <pre>{@code
 * public final class Thumbnail extends JsonJob<Thumbnail.Request, Thumbnail.Result> {
 *     public record Request(String path, int width) {}
 *     public record Result(String path, long bytes) {}
 *     public Thumbnail() { super(Request.class); }
 *     protected Result apply(Request r) throws Exception { ... }
 * }
 * }</pre>
 *
 * @param <I> the input type
 * @param <O> the output type
 */
public abstract class JsonJob<I, O> implements IsolatedJob {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Class<I> inputType;

    protected JsonJob(Class<I> inputType) {
        this.inputType = inputType;
    }

    /** Runs one job on the decoded input; the result is written as JSON. */
    protected abstract O apply(I input) throws Exception;

    @Override
    public final byte[] run(byte[] input) throws Exception {
        return MAPPER.writeValueAsBytes(apply(MAPPER.readValue(input, inputType)));
    }
}
