package io.cadre.internal.primary;

import io.cadre.ExitCodes;
import io.cadre.internal.ipc.IpcServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ctl}: the control socket of a running primary and the command-line client that talks to
 * it ({@code java -jar app.jar ctl status | reload | scale N | stop | dump-threads ID | dump-heap
 * ID}). The socket is {@code control.sock} in the primary's private runtime directory (0700), mode
 * 0600, and every connection's peer is checked (SO_PEERCRED): only the primary's own user gets
 * through. There is no TCP control port.
 *
 * <p>Protocol: the client sends one line (the command and its arguments); the primary answers with
 * text lines and a last line {@code cadre-ctl-exit: N}, the client's exit code.
 */
public final class Control {
    private static final Logger log = LoggerFactory.getLogger(Control.class);
    static final String SOCKET = "control.sock";
    static final String PORT_FILE = "port";
    private static final String EXIT_PREFIX = "cadre-ctl-exit: ";

    private Control() {
    }

    // ---- the primary's side ----------------------------------------------------------------------

    /** Opens the control socket of the primary in {@code instance}. */
    static IpcServer open(Path instance, UserPrincipal owner, Supervisor supervisor, int port, long drainMillis) throws IOException {
        Files.writeString(instance.resolve(PORT_FILE), Integer.toString(port));
        return IpcServer.open(instance.resolve(SOCKET), owner, channel -> Thread.ofVirtual().name("cadre-ctl")
                .start(() -> serve(channel, supervisor, drainMillis)));
    }

    /** How long a ctl client may take to send its command line before its connection is closed. UNIT: ms. */
    static final long COMMAND_WAIT_MILLIS = 10_000;

    private static void serve(SocketChannel channel, Supervisor supervisor, long drainMillis) {
        serve(channel, supervisor, drainMillis, COMMAND_WAIT_MILLIS);
    }

    static void serve(SocketChannel channel, Supervisor supervisor, long drainMillis, long commandWaitMillis) {
        try (channel) {
            java.io.InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(channel), 1_024);
            OutputStream out = Channels.newOutputStream(channel);
            java.io.ByteArrayOutputStream command = new java.io.ByteArrayOutputStream();
            // a client that connects and sends nothing does not hold its connection and thread for ever
            java.util.concurrent.atomic.AtomicBoolean read = new java.util.concurrent.atomic.AtomicBoolean();
            CompletableFuture.runAsync(() -> {
                if (!read.get()) {
                    org.xnio.IoUtils.safeClose(channel);
                }
            }, CompletableFuture.delayedExecutor(commandWaitMillis, TimeUnit.MILLISECONDS));
            int c;
            while ((c = in.read()) != -1 && c != '\n') { // at most 1 000 bytes are read, whatever the peer sends
                if (command.size() >= 1_000) {
                    answer(out, false, "command too long");
                    return;
                }
                command.write(c);
            }
            read.set(true);
            if (c == -1 && command.size() == 0) {
                return;
            }
            String line = command.toString(StandardCharsets.UTF_8).strip();
            log.info("ctl: {}", line);
            Supervisor.Outcome outcome;
            try {
                outcome = execute(line.trim().split("\\s+"), supervisor, drainMillis, out);
            } catch (RuntimeException e) {
                log.warn("ctl: '{}' failed: {}", line, e.toString());
                outcome = new Supervisor.Outcome(false, "the command failed in the primary: " + e);
            }
            answer(out, outcome.ok(), outcome.text());
        } catch (IOException e) {
            log.debug("ctl connection failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs one command; {@code out} gets the steps of a long one (reload) as they happen. */
    private static Supervisor.Outcome execute(String[] cmd, Supervisor supervisor, long drainMillis, OutputStream out)
            throws InterruptedException {
        try {
            return switch (cmd[0]) {
                case "status" -> new Supervisor.Outcome(true, table(supervisor.status().get(10, TimeUnit.SECONDS)));
                case "reload" -> reload(supervisor, out);
                case "scale" -> {
                    if (cmd.length != 2 || !cmd[1].matches("\\d{1,5}")) {
                        yield new Supervisor.Outcome(false, "usage: ctl scale N (the number of workers)");
                    }
                    yield wait(supervisor.scale(Integer.parseInt(cmd[1])), 10_000);
                }
                case "stop" -> {
                    supervisor.shutdown("ctl stop");
                    yield new Supervisor.Outcome(true, "stopping: workers finish their requests within " + drainMillis + " ms");
                }
                case "dump-threads", "dump-heap" -> {
                    if (cmd.length != 2 || !cmd[1].matches("\\d{1,5}")) {
                        yield new Supervisor.Outcome(false, "usage: ctl " + cmd[0] + " ID (a worker id from ctl status)");
                    }
                    boolean threads = cmd[0].equals("dump-threads");
                    Supervisor.Outcome dumped = wait(supervisor.dump(Integer.parseInt(cmd[1]), threads ? "threads" : "heap"), 600_000);
                    if (dumped.ok() && threads) {
                        yield new Supervisor.Outcome(true, "thread dump of worker " + cmd[1] + ": " + dumped.text() + "\n\n"
                                + readQuietly(Path.of(dumped.text())));
                    }
                    yield dumped.ok() ? new Supervisor.Outcome(true, "heap dump of worker " + cmd[1] + ": " + dumped.text()) : dumped;
                }
                default -> new Supervisor.Outcome(false, "unknown command '" + cmd[0] + "'; commands: " + COMMANDS);
            };
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return new Supervisor.Outcome(false, "the primary did not answer: " + e);
        }
    }

    static final String COMMANDS = "status, reload, scale N, stop, dump-threads ID, dump-heap ID";

    /**
     * {@code ctl reload}: prints each step of the rollout as it happens, then the outcome. A client
     * that goes away stops only the printing; the rollout goes on.
     */
    private static Supervisor.Outcome reload(Supervisor supervisor, OutputStream out) throws InterruptedException {
        java.util.concurrent.BlockingQueue<String> steps = new java.util.concurrent.LinkedBlockingQueue<>();
        CompletableFuture<Supervisor.Outcome> done = supervisor.reload("ctl reload", steps::add);
        long deadline = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
        boolean listening = true;
        while (!done.isDone() || !steps.isEmpty()) {
            String step = steps.poll(100, TimeUnit.MILLISECONDS);
            if (step != null && listening) {
                try {
                    out.write((step + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException e) {
                    listening = false;
                }
            }
            if (System.nanoTime() > deadline) {
                return new Supervisor.Outcome(false, "the rollout has run for an hour and goes on; see the primary's log");
            }
        }
        try {
            return done.join();
        } catch (java.util.concurrent.CompletionException e) {
            return new Supervisor.Outcome(false, "the primary did not answer: " + e.getCause());
        }
    }

    private static Supervisor.Outcome wait(CompletableFuture<Supervisor.Outcome> future, long millis)
            throws InterruptedException, java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
        return future.get(millis, TimeUnit.MILLISECONDS);
    }

    /** The most of a thread dump that ctl prints; the whole dump stays in its file. UNIT: bytes. */
    static final int DUMP_PRINT_LIMIT = 4 * 1024 * 1024;

    /**
     * The start of {@code file} (at most {@link #DUMP_PRINT_LIMIT} bytes): a worker with half a
     * million virtual threads writes a dump of gigabytes, which the primary must not take into
     * its heap in the middle of an incident.
     */
    static String readQuietly(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(DUMP_PRINT_LIMIT);
            String text = new String(head, StandardCharsets.UTF_8);
            long size = Files.size(file);
            return size > head.length
                    ? text + "\n... (" + (size - head.length) + " more bytes in " + file + ")"
                    : text;
        } catch (IOException e) {
            return "(cannot read it: " + e.getMessage() + ")";
        }
    }

    private static void answer(OutputStream out, boolean ok, String text) throws IOException {
        out.write((text + "\n" + EXIT_PREFIX + (ok ? ExitCodes.OK : ExitCodes.FATAL) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** {@code ctl status} as a table, as {@code pm2 ls} prints it. */
    static String table(Supervisor.Status status) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-3s %-8s %-22s %-4s %-9s %-8s %-8s %-8s %-10s %-8s %-6s%n", "id", "pid", "state", "gen",
                "uptime", "restarts", "rss", "heap", "requests", "req/s", "queue"));
        for (Supervisor.WorkerRow w : status.workers()) {
            sb.append(String.format(Locale.ROOT, "%-3d %-8d %-22s %-4d %-9s %-8d %-8s %-8s %-10d %-8.1f %-6d%n", w.id(), w.pid(), w.state(),
                    w.generation(), duration(w.uptimeMillis()), w.restarts(), megabytes(w.rssBytes()), megabytes(w.heapUsedBytes()),
                    w.requests(), w.ratePerSecond(), w.computeQueue()));
        }
        sb.append(status.workers().isEmpty() ? "no workers\n" : "");
        sb.append("workers wanted: ").append(status.wanted()).append("; crash breaker: ").append(status.breakerOpen() ? "OPEN" : "closed");
        if (status.rollout() != null) {
            sb.append("; rolling restart: ").append(status.rollout());
        }
        return sb.toString();
    }

    private static String megabytes(long bytes) {
        return bytes <= 0 ? "-" : (bytes >> 20) + "M";
    }

    private static String duration(long millis) {
        long s = millis / 1000;
        return s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" + s % 60 + "s" : s / 3600 + "h" + s % 3600 / 60 + "m";
    }

    // ---- the client ----------------------------------------------------------------------------

    /**
     * Runs {@code ctl ARGS}: finds the running primary (the only one, or the one {@code --pid} or
     * {@code --port} names), sends the command, prints the answer; returns the exit code.
     */
    public static int client(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(List.of(args));
        Optional<String> pid = take(rest, "--pid");
        Optional<String> port = take(rest, "--port");
        if (rest.isEmpty()) {
            err.println("cadre ctl: usage: ctl [--pid PID | --port PORT] COMMAND; commands: " + COMMANDS);
            return ExitCodes.USAGE;
        }
        Path base = RuntimeDir.baseFor(env);
        List<Running> running = running(base);
        List<Running> chosen = running.stream().filter(r -> pid.map(p -> p.equals(Long.toString(r.pid()))).orElse(true))
                .filter(r -> port.map(p -> p.equals(r.port())).orElse(true)).toList();
        if (chosen.isEmpty()) {
            err.println("cadre ctl: no running Cadre primary" + pid.map(p -> " with pid " + p).orElse("")
                    + port.map(p -> " on port " + p).orElse("") + " under " + base
                    + " (ctl must run as the user that started it, with the same CADRE_RUNTIME_DIR)"
                    + (running.isEmpty() ? "" : "; running: " + running));
            return ExitCodes.NO_PRIMARY;
        }
        if (chosen.size() > 1) {
            err.println("cadre ctl: several primaries run; choose one with --pid or --port: " + chosen);
            return ExitCodes.USAGE;
        }
        Running target = chosen.get(0);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(target.socket()));
            OutputStream o = Channels.newOutputStream(channel);
            o.write((String.join(" ", rest) + "\n").getBytes(StandardCharsets.UTF_8));
            o.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith(EXIT_PREFIX)) {
                    return Integer.parseInt(line.substring(EXIT_PREFIX.length()).trim());
                }
                out.println(line);
            }
            err.println("cadre ctl: the primary (pid " + target.pid() + ") closed the connection without an answer");
            return ExitCodes.FATAL;
        } catch (IOException e) {
            err.println("cadre ctl: cannot reach the primary (pid " + target.pid() + ") at " + target.socket() + ": " + e.getMessage());
            return ExitCodes.NO_PRIMARY;
        }
    }

    /** A running primary found under the runtime base. */
    record Running(long pid, String port, Path socket) {
        @Override
        public String toString() {
            return "pid " + pid + " (port " + port + ")";
        }
    }

    static List<Running> running(Path base) {
        List<Running> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, "primary-*")) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                long pid;
                try {
                    pid = Long.parseLong(name.substring("primary-".length()));
                } catch (NumberFormatException e) {
                    continue;
                }
                Path socket = dir.resolve(SOCKET);
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && Files.exists(socket)) {
                    String port;
                    try {
                        port = Files.readString(dir.resolve(PORT_FILE)).trim();
                    } catch (IOException e) {
                        port = "?";
                    }
                    found.add(new Running(pid, port, socket));
                }
            }
        } catch (IOException e) {
            // no base directory: nothing runs
        }
        return found;
    }

    private static Optional<String> take(List<String> args, String option) {
        int i = args.indexOf(option);
        if (i < 0 || i + 1 >= args.size()) {
            return Optional.empty();
        }
        String value = args.get(i + 1);
        args.remove(i + 1);
        args.remove(i);
        return Optional.of(value);
    }
}
