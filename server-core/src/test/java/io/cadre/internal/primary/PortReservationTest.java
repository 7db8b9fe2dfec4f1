package io.cadre.internal.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortReservationTest {
    @TempDir
    Path base;

    @Test
    void portZeroPicksAFreePortAndHoldsItAgainstOtherPrograms() throws Exception {
        try (PortReservation reservation = PortReservation.acquire(base, "127.0.0.1", 0)) {
            int port = reservation.port();
            assertThat(port).isPositive();
            try (ServerSocket other = new ServerSocket()) {
                assertThatThrownBy(() -> other.bind(new InetSocketAddress("127.0.0.1", port))).isInstanceOf(java.net.BindException.class);
            }
        }
    }

    @Test
    void aSecondReservationOfTheSamePortNamesTheHolder() throws Exception {
        try (PortReservation first = PortReservation.acquire(base, "127.0.0.1", 0)) {
            assertThatThrownBy(() -> PortReservation.acquire(base, "127.0.0.1", first.port()))
                    .isInstanceOf(PortReservation.RefusedException.class)
                    .hasMessage(PortReservation.servedBy(first.port(), java.util.Optional.of(ProcessHandle.current().pid())));
        }
    }

    @Test
    void aPortHeldByAnotherProgramIsRefusedInOneLine() throws Exception {
        try (ServerSocket other = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> PortReservation.acquire(base, "127.0.0.1", other.getLocalPort()))
                    .isInstanceOf(PortReservation.RefusedException.class)
                    .hasMessage("port " + other.getLocalPort() + " on 127.0.0.1 is in use by another program; choose another --port");
        }
    }

    @Test
    void onlyAnAddressInUseIsCalledInUseOtherBindFailuresSayWhy() {
        assertThat(PortReservation.bindRefused("0.0.0.0", 8080, new java.net.BindException("Address already in use")))
                .isEqualTo("port 8080 on 0.0.0.0 is in use by another program; choose another --port");
        assertThat(PortReservation.bindRefused("0.0.0.0", 80, new java.net.BindException("Permission denied")))
                .isEqualTo("cannot bind port 80 on 0.0.0.0: Permission denied (ports below 1024 need CAP_NET_BIND_SERVICE or root)");
        assertThat(PortReservation.bindRefused("10.9.9.9", 8080, new java.net.BindException("Cannot assign requested address")))
                .endsWith("(this machine has no such address; check --host)");
    }

    @Test
    void aPidLeftByAHolderThatIsGoneIsNotNamed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        java.nio.file.Path file = dir.resolve("port-1.lock");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap((gone.pid() + "\n").getBytes()), 0);
            assertThat(PortReservation.readPid(ch)).isEmpty();
            ch.truncate(0);
            ch.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes()), 0);
            assertThat(PortReservation.readPid(ch)).contains(ProcessHandle.current().pid());
        }
    }

    @Test
    void theReservationIsReleasedOnClose() throws Exception {
        int port;
        try (PortReservation first = PortReservation.acquire(base, "127.0.0.1", 0)) {
            port = first.port();
        }
        try (PortReservation again = PortReservation.acquire(base, "127.0.0.1", port)) {
            assertThat(again.port()).isEqualTo(port);
        }
    }

    @Test
    void anUnknownHostIsRefused() {
        assertThatThrownBy(() -> PortReservation.acquire(base, "no-such-host.invalid", 0))
                .isInstanceOf(PortReservation.RefusedException.class).hasMessageContaining("unknown host");
    }
}
