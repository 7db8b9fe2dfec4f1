package io.cadre.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A stop that reaches the primary before it has started its workers ends it cleanly. */
@Timeout(120)
class EarlyStopIT {
    @TempDir
    Path runtimeDir;
    @TempDir
    Path hold;

    @Test
    void sigtermWhileThePrimaryHooksRunExitsZeroWithoutAStackTraceOrAWorker() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.start(TestApp.class, List.of("--port", "0", "--workers", "2"),
                Map.of("CADRE_RUNTIME_DIR", runtimeDir.toString(), "TEST_PRIMARY_HOLD", hold.toString()))) {
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(hold.resolve("held")) && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(hold.resolve("held")).as("the primary's hook ran").exists();
            cluster.signal("TERM");
            // the stop has reached the supervisor when the primary logs it; then let the hook return
            end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (cluster.output().lines().noneMatch(l -> l.contains("SIGTERM: draining")) && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(cluster.output()).contains("SIGTERM: draining 0 workers");
            Files.writeString(hold.resolve("go"), "1");
            assertThat(cluster.awaitExit(Duration.ofSeconds(30))).isEqualTo(ExitCodes.OK);
            assertThat(cluster.output()).doesNotContain("Exception").doesNotContain("\tat ")
                    .doesNotContain("cadre listening on");
            assertThat(cluster.pid()).satisfies(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse());
        }
    }
}
