package io.cadre.compute.isolated.internal;

import io.cadre.compute.isolated.IsolatedJob;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The main class of an isolated child JVM. It connects to its executor's Unix domain socket, reads
 * jobs and writes replies there ({@link Frames}); what it prints goes to the executor's stderr
 * tail. The main thread only reads: when the socket ends (the executor retired this child, or its
 * process died, even by SIGKILL) it halts the JVM at once, whatever a job is doing. Jobs run one
 * at a time on one long-lived job thread.
 */
public final class ChildMain {
    private final Set<String> allowed;
    private final int maxOutput;
    private final DataOutputStream out;
    private final Map<String, IsolatedJob> instances = new HashMap<>();

    private ChildMain(Set<String> allowed, int maxOutput, DataOutputStream out) {
        this.allowed = allowed;
        this.maxOutput = maxOutput;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        String jobs = System.getenv(Frames.ENV_JOBS);
        String max = System.getenv(Frames.ENV_MAX_OUTPUT);
        String socket = System.getenv(Frames.ENV_SOCKET);
        if (jobs == null || max == null || socket == null) {
            System.err.println("cadre isolated child: started without " + Frames.ENV_JOBS + ", " + Frames.ENV_MAX_OUTPUT + " and "
                    + Frames.ENV_SOCKET + "; it is started by an IsolatedExecutor, not by hand");
            Runtime.getRuntime().halt(2);
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            System.err.println("cadre isolated child: cannot reach the executor at " + socket + ": " + e);
            Runtime.getRuntime().halt(2);
            return;
        }
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024));
        ChildMain child = new ChildMain(Set.of(jobs.split(",")), Integer.parseInt(max), out);
        child.serve(new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 64 * 1024)));
    }

    private void serve(DataInputStream in) {
        // one long-lived job thread: starting a thread per job cost ~200 µs of each round trip
        java.util.concurrent.BlockingQueue<Runnable> jobs = new java.util.concurrent.ArrayBlockingQueue<>(1);
        Thread.ofPlatform().name("cadre-isolated-job").daemon(true).start(() -> {
            while (true) {
                try {
                    jobs.take().run();
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            synchronized (out) {
                out.writeByte(Frames.READY);
                out.writeLong(ProcessHandle.current().pid());
                out.flush();
            }
            while (true) {
                int type = in.read();
                if (type < 0) {
                    break;
                }
                if (type != Frames.JOB) {
                    System.err.println("cadre isolated child: unknown frame " + type + "; exiting");
                    break;
                }
                String name = in.readUTF();
                byte[] input = new byte[in.readInt()];
                in.readFully(input);
                jobs.put(() -> run(name, input)); // one at a time: the executor sends the next job only after the reply
            }
        } catch (EOFException e) {
            // the executor closed the socket mid-frame: it is gone
        } catch (IOException e) {
            System.err.println("cadre isolated child: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(0); // the socket closed: never outlive the executor, whatever a job does
    }

    private void run(String name, byte[] input) {
        byte[] output;
        try {
            output = job(name).run(input);
            if (output == null) {
                output = new byte[0];
            }
        } catch (Throwable t) {
            threw(t);
            return;
        }
        try {
            synchronized (out) {
                if (output.length > maxOutput) {
                    out.writeByte(Frames.TOO_LARGE);
                    out.writeLong(output.length);
                } else {
                    out.writeByte(Frames.OK);
                    out.writeInt(output.length);
                    out.write(output);
                }
                out.flush();
            }
        } catch (IOException e) {
            Runtime.getRuntime().halt(0); // the executor is gone
        }
    }

    private IsolatedJob job(String name) throws ReflectiveOperationException {
        if (!allowed.contains(name)) {
            throw new IllegalArgumentException("job class " + name + " is not registered with this executor");
        }
        IsolatedJob job = instances.get(name);
        if (job == null) {
            job = (IsolatedJob) Class.forName(name).getConstructor().newInstance();
            instances.put(name, job);
        }
        return job;
    }

    private void threw(Throwable t) {
        StringWriter trace = new StringWriter();
        try (PrintWriter w = new PrintWriter(trace)) {
            t.printStackTrace(w);
        } catch (Throwable ignored) {
            // a StackOverflowError's trace is long, not infinite; anything else: send what we have
        }
        byte[] stack = trace.toString().getBytes(StandardCharsets.UTF_8);
        int length = Math.min(stack.length, Frames.MAX_STACK_BYTES);
        try {
            synchronized (out) {
                out.writeByte(Frames.THREW);
                out.writeBoolean(t instanceof Error);
                out.writeUTF(t.getClass().getName());
                out.writeUTF(Frames.clip(t.getMessage(), Frames.MAX_MESSAGE_CHARS));
                out.writeInt(length);
                out.write(stack, 0, length);
                out.flush();
            }
        } catch (IOException e) {
            Runtime.getRuntime().halt(0);
        }
    }
}
