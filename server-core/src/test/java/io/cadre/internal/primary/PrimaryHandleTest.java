package io.cadre.internal.primary;

import static org.assertj.core.api.Assertions.assertThat;

import io.cadre.Message;
import io.cadre.internal.ipc.Frame;
import io.cadre.internal.ipc.IpcChannel;
import io.cadre.internal.ipc.TestSockets;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrimaryHandleTest {
    @TempDir
    Path dir;
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** The primary's end of a connection and the queue of what its worker end receives. */
    record Pair(IpcChannel primarySide, BlockingQueue<Frame> workerGot) {
    }

    Pair connect(String name) throws Exception {
        SocketChannel[] pair = TestSockets.pair(dir.resolve(name + ".sock"));
        IpcChannel primarySide = new IpcChannel(pair[1], name + "-p");
        IpcChannel workerSide = new IpcChannel(pair[0], name + "-w");
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        primarySide.start(TestSockets.collecting(new LinkedBlockingQueue<>(), new CompletableFuture<>()));
        workerSide.start(TestSockets.collecting(got, new CompletableFuture<>()));
        open.add(primarySide);
        open.add(workerSide);
        return new Pair(primarySide, got);
    }

    @Test
    void aReplyFromAListenerGoesToTheProcessThatAskedNotToTheReadyOneOfItsSlot() throws Exception {
        PrimaryHandle handle = new PrimaryHandle(Map.of());
        Pair serving = connect("old");   // worker 2's ready process
        Pair booting = connect("new");   // its replacement, not ready yet, asking for its configuration
        handle.workerReady(2, serving.primarySide());
        handle.onMessage((id, m) -> handle.send(id, Map.of("config", "for " + m.json().path("ask").asText())));

        handle.deliver(2, booting.primarySide(), Message.of(Map.of("ask", "new")));
        Frame reply = booting.workerGot().poll(10, TimeUnit.SECONDS);
        assertThat(reply).isNotNull();
        assertThat(new String(reply.payload(), java.nio.charset.StandardCharsets.UTF_8)).contains("for new");

        handle.deliver(2, serving.primarySide(), Message.of(Map.of("ask", "old")));
        Frame toOld = serving.workerGot().poll(10, TimeUnit.SECONDS);
        assertThat(toOld).isNotNull();
        assertThat(new String(toOld.payload(), java.nio.charset.StandardCharsets.UTF_8)).contains("for old");
        assertThat(booting.workerGot()).as("nothing else went to the booting process").isEmpty();

        // outside a listener, send goes to the ready process of the slot
        assertThat(handle.send(2, Map.of("push", 1))).isTrue();
        assertThat(serving.workerGot().poll(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(handle.send(3, Map.of("push", 1))).as("no worker 3").isFalse();
    }
}
