package io.cadre.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerEnvTest {
    static Map<String, String> env(long primaryPid) {
        return Map.of(WorkerEnv.WORKER_ID, "1", "CADRE_PRIMARY_PID", Long.toString(primaryPid));
    }

    @Test
    void onlyAChildOfTheNamedPrimaryIsAWorker() {
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        assertThat(WorkerEnv.isWorker(env(parent))).as("the primary's own child").isTrue();
        // a process this "worker" started inherits the environment; its parent is not the primary
        long alive = ProcessHandle.current().pid();
        assertThat(WorkerEnv.isWorker(env(alive))).as("a worker's subprocess").isFalse();
        assertThat(WorkerEnv.isWorker(env(2_147_483_000L))).as("a primary that is gone: the worker finds out itself").isTrue();
        assertThat(WorkerEnv.isWorker(Map.of())).isFalse();
        assertThat(WorkerEnv.isWorker(Map.of(WorkerEnv.WORKER_ID, "1"))).as("incomplete: from() says what is missing").isTrue();
    }
}
