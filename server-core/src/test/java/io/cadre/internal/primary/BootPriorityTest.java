package io.cadre.internal.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootPriorityTest {
    @TempDir
    Path dir;

    @Test
    void zeroIsOffWithoutAReason() {
        BootPriority off = BootPriority.detect(0, true);
        assertThat(off.enabled()).isFalse();
        assertThat(off.offBecause).isNull();
    }

    @Test
    void onWhereThePriorityCanBeRaisedAgainOtherwiseOffWithTheReason() {
        BootPriority p = BootPriority.detect(10, true);
        if (p.enabled()) {
            assertThat(p.offBecause).isNull();
            assertThat(p.increment).isEqualTo(10);
            assertThat(p.lowered(List.of("java", "-jar", "app.jar"))).containsExactly("nice", "-n", "10", "java", "-jar", "app.jar");
        } else {
            assertThat(p.offBecause).isNotBlank();
            assertThat(p.increment).isZero();
        }
    }

    @Test
    void aNiceValueIsReadAfterACommandNameWithSpacesAndParentheses() throws Exception {
        Path stat = dir.resolve("stat");
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice ...
        Files.writeString(stat, "4242 (C2 Compiler) (x)) S 1 4242 4242 0 -1 4194624 10 0 0 0 7 3 0 0 30 10 1 0 100\n");
        assertThat(BootPriority.niceOf(stat)).hasValue(10);
        Files.writeString(stat, "garbage");
        assertThat(BootPriority.niceOf(stat)).isEmpty();
        assertThat(BootPriority.niceOf(dir.resolve("absent"))).isEmpty();
    }

    @Test
    void restoreAlsoReachesTheProcessesTheWorkerStartedWhileItBooted() throws Exception {
        BootPriority p = BootPriority.detect(5, false);
        assumeTrue(p.enabled(), () -> "boot priority off here: " + p.offBecause);
        // stands in for a worker that started a child (a warm isolated JVM) during its boot
        Process worker = new ProcessBuilder("nice", "-n", "5", "sh", "-c", "sleep 60 & wait").start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (worker.toHandle().children().findAny().isEmpty()) {
                assertThat(System.nanoTime() - deadline).as("the child process started within 10 s").isNegative();
                Thread.sleep(10);
            }
            long child = worker.toHandle().children().findFirst().orElseThrow().pid();
            assertThat(BootPriority.niceOf(Path.of("/proc", Long.toString(child), "stat"))).hasValue(p.bootNice());

            int restored = p.restore(worker.pid()).get(30, TimeUnit.SECONDS);

            assertThat(restored).isGreaterThanOrEqualTo(2);
            assertThat(BootPriority.niceOf(Path.of("/proc", Long.toString(worker.pid()), "stat"))).hasValue(p.base);
            assertThat(BootPriority.niceOf(Path.of("/proc", Long.toString(child), "stat"))).hasValue(p.base);
        } finally {
            worker.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            worker.destroyForcibly();
            worker.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
