package io.cadre.compute.isolated;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Jobs that fail in every way a job can, and a few that behave. */
public final class TestJobs {
    private TestJobs() {
    }

    private static String text(byte[] input) {
        return new String(input, StandardCharsets.UTF_8);
    }

    /** Returns its input. */
    public static final class Echo implements IsolatedJob {
        @Override
        public byte[] run(byte[] input) {
            return input;
        }
    }

    /** Returns the child's pid. */
    public static final class Pid implements IsolatedJob {
        @Override
        public byte[] run(byte[] input) {
            return Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Sleeps the milliseconds its input names, then returns "slept". */
    public static final class Sleep implements IsolatedJob {
        @Override
        public byte[] run(byte[] input) throws InterruptedException {
            Thread.sleep(Long.parseLong(text(input)));
            return "slept".getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Prints a line to stdout (which must not corrupt the replies), then {@code System.exit(3)}. */
    public static final class Exit implements IsolatedJob {
        @Override
        public byte[] run(byte[] input) {
            System.out.println("about to exit 3");
            System.exit(3);
            return null;
        }
    }

    /** {@code Runtime.halt(7)}: no shutdown hooks, no goodbye. */
    public static final class Halt implements IsolatedJob {
        @Override
        public byte[] run(byte[] input) {
            Runtime.getRuntime().halt(7);
            return null;
        }
    }

    /** Allocates until the heap is exhausted. */
    public static final class HeapBomb implements IsolatedJob {
        @Override
        public byte[] run(byte[] input) {
            List<long[]> hoard = new ArrayList<>();
            while (true) {
                hoard.add(new long[1 << 20]);
            }
        }
    }

    /** Loops forever, ignoring interrupts. */
    public static final class Forever implements IsolatedJob {
        static volatile long sink;

        @Override
        public byte[] run(byte[] input) {
            while (true) {
                sink++;
            }
        }
    }

    /** Recurses until the stack overflows. */
    public static final class Recurse implements IsolatedJob {
        @Override
        public byte[] run(byte[] input) {
            return run(input);
        }
    }

    /** Reads address 0 through Unsafe: a native crash (SIGSEGV) of the JVM. */
    public static final class Segfault implements IsolatedJob {
        @Override
        public byte[] run(byte[] input) throws ReflectiveOperationException {
            Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            unsafe.getClass().getMethod("getLong", long.class).invoke(unsafe, 0L);
            return null;
        }
    }

    /** Throws with a cause. */
    public static final class Throws implements IsolatedJob {
        @Override
        public byte[] run(byte[] input) {
            throw new IllegalStateException("bad input: " + text(input), new ArithmeticException("root cause"));
        }
    }

    /** Returns as many bytes as its input names. */
    public static final class Big implements IsolatedJob {
        @Override
        public byte[] run(byte[] input) {
            return new byte[Integer.parseInt(text(input))];
        }
    }

    /** A JSON job: adds two numbers. */
    public static final class Add extends JsonJob<Add.Numbers, Add.Sum> {
        public record Numbers(int a, int b) {
        }

        public record Sum(int sum, long pid) {
        }

        public Add() {
            super(Numbers.class);
        }

        @Override
        protected Sum apply(Numbers input) {
            return new Sum(input.a() + input.b(), ProcessHandle.current().pid());
        }
    }

    /** Not registered anywhere. */
    public static final class Unregistered implements IsolatedJob {
        @Override
        public byte[] run(byte[] input) {
            return input;
        }
    }
}
