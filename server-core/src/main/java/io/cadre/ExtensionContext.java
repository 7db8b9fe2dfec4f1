package io.cadre;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What an {@link Extension} is told when it starts.
 *
 * @param options the values of the options it declared that were given
 * @param environment the process environment (a worker's includes what {@code startPrimary} returned)
 * @param runtimeDirectory a private (0700) directory of this user for files the extension keeps
 * @param workerId the worker's id, or 0 in the primary
 * @param primaryPid the primary's pid
 * @param workers how many workers the cluster runs
 * @param drainTimeoutMillis how long a draining worker may take. UNIT: ms
 */
public record ExtensionContext(Map<String, String> options, Map<String, String> environment, Path runtimeDirectory, int workerId,
        long primaryPid, int workers, long drainTimeoutMillis) {

    public ExtensionContext {
        options = Map.copyOf(options);
        environment = Map.copyOf(environment);
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    public boolean inPrimary() {
        return workerId == 0;
    }
}
