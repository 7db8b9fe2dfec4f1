package io.cadre.internal.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpcChannelTest {
    @TempDir
    Path dir;
    SocketChannel client;
    SocketChannel server;

    @BeforeEach
    void connect() throws Exception {
        SocketChannel[] pair = TestSockets.pair(dir.resolve("t.sock"));
        client = pair[0];
        server = pair[1];
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void framesArriveInOrderWhileTheReaderIsBlocked() throws Exception {
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        IpcChannel receiver = new IpcChannel(server, "srv");
        receiver.start(listener(got, new CompletableFuture<>()));
        IpcChannel sender = new IpcChannel(client, "cli");
        sender.start(listener(new LinkedBlockingQueue<>(), new CompletableFuture<>()));
        for (int i = 0; i < 100; i++) {
            assertThat(sender.send(new Frame(FrameType.APP, new byte[] {(byte) i}))).isTrue();
        }
        for (int i = 0; i < 100; i++) {
            Frame f = got.poll(10, TimeUnit.SECONDS);
            assertThat(f).isNotNull();
            assertThat(f.payload()[0]).isEqualTo((byte) i);
        }
        // the sender's reader is blocked on its socket all along; writes still went through
        receiver.close();
        sender.close();
    }

    @Test
    void aMalformedFrameClosesTheConnectionAndReportsWhy() throws Exception {
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        IpcChannel receiver = new IpcChannel(server, "srv");
        receiver.start(listener(new LinkedBlockingQueue<>(), closed));
        client.write(ByteBuffer.allocate(4).putInt(-1).flip());
        assertThat(closed.get(10, TimeUnit.SECONDS)).isInstanceOf(MalformedFrameException.class);
        assertThat(receiver.isOpen()).isFalse();
        assertThat(receiver.send(Frame.empty(FrameType.HEARTBEAT))).isFalse();
        assertThat(client.read(ByteBuffer.allocate(1))).isEqualTo(-1);
    }

    @Test
    void aCleanEndOfStreamIsReportedWithoutACause() throws Exception {
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        new IpcChannel(server, "srv").start(listener(new LinkedBlockingQueue<>(), closed));
        client.close();
        assertThat(closed.get(10, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void aSlowAppListenerNeitherStopsCadresFramesNorQueuesWithoutBound() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger apps = new AtomicInteger();
        BlockingQueue<Frame> control = new LinkedBlockingQueue<>();
        IpcChannel receiver = new IpcChannel(server, "srv");
        receiver.start(new IpcChannel.Listener() {
            @Override
            public void onFrame(IpcChannel channel, Frame frame) throws IOException {
                if (frame.type() != FrameType.APP) {
                    control.add(frame);
                    return;
                }
                apps.incrementAndGet();
                try {
                    release.await(30, TimeUnit.SECONDS); // the app's listener blocks, on the first message
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onClose(IpcChannel channel, Throwable cause) {
            }
        });
        IpcChannel sender = new IpcChannel(client, "cli");
        sender.start(listener(new LinkedBlockingQueue<>(), new CompletableFuture<>()));
        int sent = IpcChannel.QUEUE_CAPACITY + 500;
        for (int i = 0; i < sent; i++) {
            // the sender's own queue may refuse some while its writer catches up; those are not sent
            if (!sender.send(new Frame(FrameType.APP, new byte[] {1}))) {
                sent--;
                Thread.onSpinWait();
            }
        }
        assertThat(sender.send(Frame.empty(FrameType.HEARTBEAT))).isTrue();
        // the heartbeat gets through while the app listener is stuck on the first message
        assertThat(control.poll(10, TimeUnit.SECONDS)).extracting(Frame::type).isEqualTo(FrameType.HEARTBEAT);
        assertThat(apps.get()).isEqualTo(1);
        // every app message is in the socket now; a heartbeat sent after them is read after them
        assertThat(sender.awaitWritten(10_000)).isTrue();
        assertThat(sender.send(Frame.empty(FrameType.HEARTBEAT))).isTrue();
        assertThat(control.poll(10, TimeUnit.SECONDS)).as("every app message was read (queued or dropped)").isNotNull();
        release.countDown();
        // what waited for the listener is delivered (one in its hands, QUEUE_CAPACITY queued); the rest was dropped
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (apps.get() < IpcChannel.QUEUE_CAPACITY + 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(sender.send(Frame.empty(FrameType.HEARTBEAT))).isTrue();
        assertThat(control.poll(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(apps.get()).isEqualTo(IpcChannel.QUEUE_CAPACITY + 1).isLessThan(sent);
        receiver.close();
        sender.close();
    }

    @Test
    void cadresFramesOvertakeAppMessagesQueuedForAPeerThatStoppedReading() throws Exception {
        IpcChannel sender = new IpcChannel(client, "cli");
        sender.start(listener(new LinkedBlockingQueue<>(), new CompletableFuture<>()));
        byte[] big = new byte[64 * 1024];
        int accepted = 0;
        while (sender.send(new Frame(FrameType.APP, big))) { // nobody reads the server side: the socket fills, then the queue
            accepted++;
        }
        assertThat(accepted).isLessThanOrEqualTo((int) (IpcChannel.QUEUE_BYTES / big.length) + 1000);
        assertThat(sender.send(Frame.empty(FrameType.HEARTBEAT))).as("a heartbeat is not crowded out").isTrue();
        assertThat(sender.awaitWritten(100)).isFalse();
        FrameCodec.Reader in = new FrameCodec.Reader(server);
        int appsBeforeHeartbeat = 0;
        Frame f;
        while ((f = in.read()).type() == FrameType.APP) {
            appsBeforeHeartbeat++;
        }
        assertThat(f.type()).isEqualTo(FrameType.HEARTBEAT);
        assertThat(appsBeforeHeartbeat).as("only what was already in the socket and the writer's hands").isLessThan(accepted);
        sender.close();
    }

    @Test
    void awaitWrittenWaitsForEveryFrameQueuedBeforeItWhicheverQueueItIsIn() throws Exception {
        IpcChannel sender = new IpcChannel(client, "cli");
        sender.start(listener(new LinkedBlockingQueue<>(), new CompletableFuture<>()));
        for (int i = 0; i < 50; i++) {
            assertThat(sender.send(new Frame(FrameType.APP, new byte[] {(byte) i}))).isTrue();
        }
        assertThat(sender.send(Frame.empty(FrameType.METRICS))).isTrue();
        assertThat(sender.awaitWritten(10_000)).isTrue();
        server.configureBlocking(false);
        ByteBuffer all = ByteBuffer.allocate(1 << 16);
        while (server.read(all) > 0) {
            // everything written is in the socket already
        }
        all.flip();
        int frames = 0;
        while (FrameCodec.decode(all) != null) {
            frames++;
        }
        assertThat(frames).isEqualTo(51);
        sender.close();
    }

    private static IpcChannel.Listener listener(BlockingQueue<Frame> got, CompletableFuture<Throwable> closed) {
        return TestSockets.collecting(got, closed);
    }
}
