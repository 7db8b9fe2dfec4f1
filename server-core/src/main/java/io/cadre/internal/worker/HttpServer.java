package io.cadre.internal.worker;

import io.cadre.CadreConfig;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.xnio.ChannelListeners;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.nio.CadreXnioBridge;

/**
 * One worker's Undertow server on a socket Cadre opened itself: SO_REUSEPORT is set before bind,
 * so every worker of the cluster binds the same port and the kernel spreads new connections over
 * them. IO threads are named {@code cadre-io-N}, the acceptor {@code cadre-accept}; XNIO's task
 * pool is the worker's virtual-thread executor. Limits are explicit (see {@link CadreConfig.HttpLimits}).
 */
final class HttpServer {
    private final XnioWorker xnio;
    private final AcceptingChannel<StreamConnection> server;
    private final ByteBufferPool buffers;
    private final InetSocketAddress address;

    private HttpServer(XnioWorker xnio, AcceptingChannel<StreamConnection> server, ByteBufferPool buffers, InetSocketAddress address) {
        this.xnio = xnio;
        this.server = server;
        this.buffers = buffers;
        this.address = address;
    }

    /** The request threads of a worker: one virtual thread per request, named {@code cadre-vt-N}. */
    static ExecutorService requestThreads() {
        return java.util.concurrent.Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("cadre-vt-", 1).factory());
    }

    /** Opens the SO_REUSEPORT socket; a bind failure surfaces as {@link java.net.BindException}. */
    static ServerSocketChannel openReusePort(InetSocketAddress bind, int backlog) throws IOException {
        InetAddress address = bind.getAddress();
        ServerSocketChannel channel = ServerSocketChannel.open(address instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            channel.bind(bind, backlog);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * A warm-up before the server joins the shared port: {@code root} answers on a private
     * loopback port of the same IO threads while {@code client} runs with that port; once
     * {@code cancelled} says so the server does not join the port.
     */
    record WarmUp(HttpHandler root, java.util.function.IntConsumer client, java.util.function.BooleanSupplier cancelled) {
    }

    /** The worker began to drain during the warm-up: the server did not join the shared port and is stopped. */
    static final class Cancelled extends IOException {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super("the worker began to drain during its warm-up");
        }
    }

    /** Starts the server on {@code bind}, after {@code warmUp} (null: none) has run. */
    static HttpServer start(CadreConfig config, InetSocketAddress bind, HttpHandler root, ExecutorService tasks, WarmUp warmUp)
            throws IOException {
        if (System.getProperty("org.jboss.logging.provider") == null) {
            System.setProperty("org.jboss.logging.provider", "slf4j"); // Undertow and XNIO log through SLF4J too
        }
        CadreConfig.HttpLimits limits = config.http();
        int ioThreads = limits.ioThreads() > 0 ? limits.ioThreads()
                : Math.max(1, Runtime.getRuntime().availableProcessors() / config.workers());
        XnioWorker xnio = Xnio.getInstance(HttpServer.class.getClassLoader()).createWorkerBuilder()
                .populateFromOptions(OptionMap.builder()
                        .set(Options.WORKER_IO_THREADS, ioThreads)
                        .set(Options.CONNECTION_HIGH_WATER, 1_000_000)
                        .set(Options.CONNECTION_LOW_WATER, 1_000_000)
                        .set(Options.TCP_NODELAY, true)
                        .set(Options.CORK, true)
                        .getMap())
                .setWorkerName("cadre")
                .setDaemon(true)
                .setExternalExecutorService(tasks)
                .build();
        for (int i = 0; i < xnio.getIoThreadCount(); i++) {
            ((Thread) xnio.getIoThread(i)).setName("cadre-io-" + (i + 1));
        }
        CadreXnioBridge.nameAcceptThread(xnio, "cadre-accept");
        ServerSocketChannel socket = null;
        try {
            ByteBufferPool buffers = new DefaultByteBufferPool(true, 16 * 1024, -1, 4);
            OptionMap socketOptions = OptionMap.builder()
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.REUSE_ADDRESSES, true)
                    .getMap();
            if (warmUp != null) {
                ServerSocketChannel local = bindLoopback(ServerSocketChannel.open());
                AcceptingChannel<StreamConnection> rehearsal;
                try {
                    rehearsal = listen(xnio, local, socketOptions, buffers, limits, warmUp.root());
                } catch (IOException | RuntimeException e) {
                    local.close();
                    throw e;
                }
                try (rehearsal) { // closing it closes the loopback socket; the warm-up's connections are closed by then
                    warmUp.client().accept(((InetSocketAddress) local.getLocalAddress()).getPort());
                }
                if (warmUp.cancelled().getAsBoolean()) {
                    throw new Cancelled();
                }
            }
            socket = openReusePort(bind, limits.backlog());
            AcceptingChannel<StreamConnection> server = listen(xnio, socket, socketOptions, buffers, limits, root);
            return new HttpServer(xnio, server, buffers, (InetSocketAddress) socket.getLocalAddress());
        } catch (IOException | RuntimeException e) {
            if (socket != null) {
                socket.close();
            }
            xnio.shutdownNow();
            throw e;
        }
    }

    /** Serves {@code root} on {@code socket} (bound) with the IO threads of {@code xnio}; accepts are on. */
    private static AcceptingChannel<StreamConnection> listen(XnioWorker xnio, ServerSocketChannel socket, OptionMap socketOptions,
            ByteBufferPool buffers, CadreConfig.HttpLimits limits, HttpHandler root) throws IOException {
        HttpOpenListener open = new HttpOpenListener(buffers, undertowOptions(limits));
        open.setRootHandler(root);
        AcceptingChannel<StreamConnection> server = CadreXnioBridge.wrap(xnio, socket, socketOptions, ChannelListeners.openListenerAdapter(open));
        server.resumeAccepts();
        return server;
    }

    private static ServerSocketChannel bindLoopback(ServerSocketChannel channel) throws IOException {
        try {
            return channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    static OptionMap undertowOptions(CadreConfig.HttpLimits limits) {
        return OptionMap.builder()
                .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
                .set(UndertowOptions.MAX_HEADER_SIZE, limits.maxHeaderBytes())
                .set(UndertowOptions.MAX_HEADERS, limits.maxHeaders())
                .set(UndertowOptions.MAX_PARAMETERS, limits.maxParameters())
                .set(UndertowOptions.MAX_COOKIES, limits.maxCookies())
                .set(UndertowOptions.MAX_ENTITY_SIZE, limits.maxEntityBytes())
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) limits.requestParseTimeoutMillis())
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, (int) limits.noRequestTimeoutMillis())
                .set(UndertowOptions.IDLE_TIMEOUT, (int) limits.idleTimeoutMillis())
                .set(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, false)
                .set(UndertowOptions.ALLOW_ENCODED_SLASH, false)
                .set(UndertowOptions.ENABLE_HTTP2, false)
                .set(UndertowOptions.ALWAYS_SET_DATE, true)
                .set(UndertowOptions.RECORD_REQUEST_START_TIME, true) // request latency for /metrics (RouteMeters)
                .getMap();
    }

    /**
     * Runs {@code then} once every IO thread has run a task queued now: never, while any of them is
     * stuck (a loop in a {@code @NonBlocking} handler holds its share of the connections).
     */
    void afterEveryIoThread(Runnable then) {
        int n = xnio.getIoThreadCount();
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(n);
        for (int i = 0; i < n; i++) {
            xnio.getIoThread(i).execute(() -> {
                if (left.decrementAndGet() == 0) {
                    then.run();
                }
            });
        }
    }

    InetSocketAddress address() {
        return address;
    }

    /** Stops accepting: the socket leaves the SO_REUSEPORT group; accepted connections go on. */
    void stopAccepting() throws IOException {
        server.close();
    }

    /** Closes every connection and stops the IO threads, waiting at most {@code graceMillis}. */
    void stop(long graceMillis) {
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        xnio.shutdown();
        try {
            if (!xnio.awaitTermination(Math.max(1, graceMillis), TimeUnit.MILLISECONDS)) {
                xnio.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            xnio.shutdownNow();
        }
        buffers.close();
    }
}
