package io.cadre.internal.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerCommandTest {
    @Test
    void theDefaultsKeepAnIdleWorkerSmallButGiveItAYoungGenerationThatHoldsRequestsInFlight() {
        assertThat(WorkerCommand.defaultOptions(2, 0, List.of(), 21, 2)).containsExactly(
                "-XX:+UseSerialGC", "-Xms12m", "-XX:NewSize=8m", "-XX:MaxRAMPercentage=37.5", "-XX:+ExitOnOutOfMemoryError");
        assertThat(WorkerCommand.defaultOptions(100, 0, List.of())).contains("-XX:MaxRAMPercentage=1.0");
    }

    @Test
    void aCollectorChosenByTheUserReplacesSerialInsteadOfConflictingWithIt() {
        assertThat(WorkerCommand.defaultOptions(2, 0, List.of("-XX:+UseZGC")))
                .doesNotContain("-XX:+UseSerialGC")
                .contains("-Xms12m", "-XX:NewSize=8m", "-XX:MaxRAMPercentage=37.5");
        assertThat(WorkerCommand.defaultOptions(2, 0, List.of("-XX:+UseG1GC", "-Xlog:gc"))).doesNotContain("-XX:+UseSerialGC");
        assertThat(WorkerCommand.defaultOptions(2, 0, List.of("-XX:+UseStringDeduplication"))).contains("-XX:+UseSerialGC");
    }

    @Test
    void anyHeapSizeOfTheUserReplacesTheInitialAndYoungSizes() {
        for (String option : List.of("-Xms4m", "-Xmn32m", "-XX:NewSize=1m", "-XX:MaxNewSize=4m", "-XX:InitialHeapSize=64m")) {
            assertThat(WorkerCommand.defaultOptions(2, 0, List.of(option))).as(option)
                    .doesNotContain("-Xms12m", "-XX:NewSize=8m")
                    .contains("-XX:+UseSerialGC", "-XX:MaxRAMPercentage=37.5");
        }
        for (String option : List.of("-Xmx8m", "-XX:MaxHeapSize=8m")) {
            assertThat(WorkerCommand.defaultOptions(2, 0, List.of(option), 25, 2)).as(option)
                    .containsExactly("-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "--sun-misc-unsafe-memory-access=allow",
                            "-Djdk.virtualThreadScheduler.parallelism=1");
        }
    }

    @Test
    void withMaxMemoryTheHeapCeilingIsThreeQuartersOfItSoThatGarbageAloneDoesNotRecycleAWorker() {
        assertThat(WorkerCommand.defaultOptions(2, 512L << 20, List.of(), 21, 2)).containsExactly(
                "-XX:+UseSerialGC", "-Xms12m", "-XX:NewSize=8m", "-XX:MaxHeapSize=" + (384L << 20), "-XX:+ExitOnOutOfMemoryError");
        assertThat(WorkerCommand.defaultOptions(2, 1L << 20, List.of())).contains("-XX:MaxHeapSize=" + (16L << 20));
        assertThat(WorkerCommand.defaultOptions(2, 512L << 20, List.of("-Xmx1g")))
                .noneMatch(o -> o.startsWith("-XX:MaxHeapSize") || o.startsWith("-XX:MaxRAMPercentage"));
    }

    @Test
    void onJdk23AndLaterWorkersMayUseUnsafeMemoryAccessWithoutAWarningUnlessTheUserSaysOtherwise() {
        assertThat(WorkerCommand.defaultOptions(2, 0, List.of(), 25, 2)).contains("--sun-misc-unsafe-memory-access=allow");
        assertThat(WorkerCommand.defaultOptions(2, 0, List.of(), 21, 2)).noneMatch(o -> o.startsWith("--sun-misc"));
        assertThat(WorkerCommand.defaultOptions(2, 0, List.of("--sun-misc-unsafe-memory-access=warn"), 25, 2))
                .noneMatch(o -> o.startsWith("--sun-misc"));
    }

    @Test
    void onJdk24AndLaterEachWorkerGetsAsManyCarrierThreadsAsItHasCores() {
        assertThat(WorkerCommand.defaultOptions(2, 0, List.of(), 25, 2)).contains("-Djdk.virtualThreadScheduler.parallelism=1");
        assertThat(WorkerCommand.defaultOptions(4, 0, List.of(), 25, 16)).contains("-Djdk.virtualThreadScheduler.parallelism=4");
        assertThat(WorkerCommand.defaultOptions(8, 0, List.of(), 25, 2)).contains("-Djdk.virtualThreadScheduler.parallelism=1");
        assertThat(WorkerCommand.defaultOptions(2, 0, List.of(), 21, 2)).noneMatch(o -> o.contains("virtualThreadScheduler"));
        assertThat(WorkerCommand.defaultOptions(2, 0, List.of("-Djdk.virtualThreadScheduler.parallelism=3"), 25, 2))
                .noneMatch(o -> o.contains("virtualThreadScheduler"));
    }

    @TempDir
    Path dir;

    private Path jar(String name, String mainClass) throws Exception {
        Path jar = dir.resolve(name);
        Files.createDirectories(jar.getParent());
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            out.flush();
        }
        return jar;
    }

    @Test
    void theMainClassOfAJarWhosePathHoldsSpacesIsReadFromItsManifest() throws Exception {
        Path jar = jar("my app/the app.jar", "com.acme.Main");
        assertThat(WorkerCommand.mainClass(jar.toString(), jar + " --workers 2")).isEqualTo("com.acme.Main");
        assertThat(WorkerCommand.mainClass(jar.toString(), jar.toString())).isEqualTo("com.acme.Main");
        assertThat(WorkerCommand.mainClass("a.jar:b.jar", "com.acme.Other --port 8080")).isEqualTo("com.acme.Other");
    }

    @Test
    void aJarReplacedOnDiskIsNoticedSoTheCacheOfTheOldOneIsNotUsed() throws Exception {
        Path jar = jar("app.jar", "com.acme.Main");
        WorkerCommand command = new WorkerCommand(List.of("java", "-XX:AOTCache=app.aot"), List.of("-XX:AOTCache=app.aot"), "app.aot",
                jar.toString());
        assertThat(command.classpathUnchanged()).isTrue();
        Files.write(jar, new byte[] {1, 2, 3}); // a deploy: the jar is replaced
        assertThat(command.classpathUnchanged()).isFalse();
        assertThat(command.withoutAotCache()).containsExactly("java");
    }

    @Test
    void aCollectorChosenInTheJvmsEnvironmentReplacesTheSerialDefault() throws Exception {
        io.cadre.CadreConfig config = io.cadre.CadreConfig.builder().workers(2).build();
        List<String> cmd = WorkerCommand.of(config, new String[0], java.util.Map.of("JDK_JAVA_OPTIONS", " -XX:+UseG1GC -Xmx1g "), false)
                .command();
        assertThat(cmd).doesNotContain("-XX:+UseSerialGC", "-Xms12m").noneMatch(o -> o.startsWith("-XX:MaxRAMPercentage"));
        assertThat(WorkerCommand.of(config, new String[0], java.util.Map.of(), false).command()).contains("-XX:+UseSerialGC");
    }
}
