package io.cadre.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IoWatchdogTest {

    private static io.undertow.server.HttpServerExchange slow() {
        return new io.undertow.server.HttpServerExchange(null).setRequestMethod(io.undertow.util.Methods.GET).setRequestPath("/slow");
    }

    @Test
    void aStallPastTheThresholdIsReportedOnceWithItsStack() {
        List<String> reports = new ArrayList<>();
        IoWatchdog watchdog = new IoWatchdog(100, reports::add);
        IoWatchdog.Slot slot = watchdog.enter(slow());
        long start = slot.since;
        watchdog.check(start + TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(reports).isEmpty();
        watchdog.check(start + TimeUnit.MILLISECONDS.toNanos(150));
        watchdog.check(start + TimeUnit.MILLISECONDS.toNanos(250));
        assertThat(reports).singleElement().asString()
                .startsWith("IO thread " + Thread.currentThread().getName() + " has been busy with GET /slow for 150 ms")
                .contains("Its stack:\n\tat ");
        IoWatchdog.exit(slot);
        watchdog.check(start + TimeUnit.MILLISECONDS.toNanos(400));
        assertThat(reports).hasSize(1);
        IoWatchdog.Slot next = watchdog.enter(slow());
        watchdog.check(next.since + TimeUnit.MILLISECONDS.toNanos(150));
        assertThat(reports).hasSize(2); // a new stall is a new report
    }
}
