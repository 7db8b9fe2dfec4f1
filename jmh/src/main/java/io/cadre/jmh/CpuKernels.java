package io.cadre.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongUnaryOperator;

/**
 * The CPU-bound kernels of {@link CpuScalingBenchmark}, the same code for every execution model
 * (platform threads, virtual threads, the compute pool, child JVMs). A kernel is one unit of
 * work: a {@link LongUnaryOperator} that takes a seed and returns a checksum (which the caller
 * keeps, so the JIT cannot drop the work). On the 2-vCPU EPYC VM of docs/benchmarks.md each
 * built-in unit takes roughly a millisecond once compiled.
 *
 * <ul>
 *   <li>{@code spin}: a pure-CPU loop (xorshift-multiply, one dependent chain): registers only,
 *       no memory traffic, no allocation. The upper bound of scaling.</li>
 *   <li>{@code sha256}: SHA-256 of 1.5 MiB (the same 64 KiB of read-only data 24 times, so it
 *       stays in L2; {@link MessageDigest}, intrinsified on x86): hashing.</li>
 *   <li>{@code json}: Jackson: serializes an order of 20 line items to JSON bytes (~2 KiB) and
 *       parses them back into records, 70 times; allocation-heavy and branchy, as request
 *       handling is.</li>
 *   <li>{@code alloc}: 12 times, builds a linked list of 16 384 small objects (each with its own
 *       {@code long[4]}) and walks it: about 14 MiB of short-lived garbage per unit, so the
 *       young-generation collector is part of what scales (threads share one heap and its
 *       pauses; child JVMs each have their own).</li>
 *   <li>anything else: the name of a public class implementing {@link LongUnaryOperator} with a
 *       public no-argument constructor, on the class path of the benchmark JVM (child JVMs get
 *       the same class path): your own work, e.g.
 *       {@code java -cp benchmarks.jar:my.jar org.openjdk.jmh.Main CpuScaling -p kernel=com.acme.Render}.</li>
 * </ul>
 *
 * <p>Thread-safe: one instance per name and JVM, shared by all threads.
 */
public final class CpuKernels {
    /** The built-in kernel names. */
    public static final List<String> BUILT_IN = List.of("spin", "sha256", "json", "alloc");

    private static final Map<String, LongUnaryOperator> KERNELS = new ConcurrentHashMap<>();

    private CpuKernels() {
    }

    /** The kernel of this name (one instance per name and JVM); fails at once for an unknown one. */
    public static LongUnaryOperator of(String name) {
        return KERNELS.computeIfAbsent(name, CpuKernels::create);
    }

    /** One job: {@code units} runs of {@code kernel}, seeded from {@code seed}; returns their checksum. */
    public static long job(LongUnaryOperator kernel, int units, long seed) {
        long sum = 0;
        for (int i = 0; i < units; i++) {
            sum += kernel.applyAsLong(seed * 31 + i);
        }
        return sum;
    }

    /**
     * Runs jobs back to back on the calling thread for at least {@code millis}, so that the JIT
     * compiles the kernel before anything is measured; returns their checksum.
     */
    public static long warm(LongUnaryOperator kernel, int units, long millis) {
        long sum = 0;
        long end = System.nanoTime() + millis * 1_000_000L;
        for (long seed = -1; System.nanoTime() < end; seed--) {
            sum += job(kernel, units, seed);
        }
        return sum;
    }

    private static LongUnaryOperator create(String name) {
        return switch (name) {
            case "spin" -> CpuKernels::spin;
            case "sha256" -> CpuKernels::sha256;
            case "json" -> CpuKernels::json;
            case "alloc" -> CpuKernels::alloc;
            default -> custom(name);
        };
    }

    private static LongUnaryOperator custom(String className) {
        try {
            Object kernel = Class.forName(className).getConstructor().newInstance();
            if (kernel instanceof LongUnaryOperator op) {
                return op;
            }
            throw new IllegalArgumentException(className + " does not implement java.util.function.LongUnaryOperator");
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("kernel '" + className + "' is neither one of " + BUILT_IN
                    + " nor a public LongUnaryOperator class with a public no-argument constructor on the class path", e);
        }
    }

    // ---- spin ------------------------------------------------------------------------------

    static final int SPIN_ROUNDS = 3 << 17;

    static long spin(long seed) {
        long x = seed | 1;
        for (int i = 0; i < SPIN_ROUNDS; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            x *= 0x9E3779B97F4A7C15L;
        }
        return x;
    }

    // ---- sha256 ----------------------------------------------------------------------------

    static final byte[] DATA = new byte[64 << 10];
    static final int SHA_ROUNDS = 24;

    static {
        long x = 42;
        for (int i = 0; i < DATA.length; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            DATA[i] = (byte) (x >>> 56);
        }
    }

    static long sha256(long seed) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < 8; i++) {
            md.update((byte) (seed >>> (i * 8)));
        }
        for (int i = 1; i < SHA_ROUNDS; i++) {
            md.update(DATA);
        }
        byte[] digest = md.digest(DATA);
        return ((digest[0] & 0xFFL) << 8) | (digest[1] & 0xFFL);
    }

    // ---- json ------------------------------------------------------------------------------

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int JSON_ROUNDS = 70;

    /** A line of an order. Public for Jackson. */
    public record Line(String sku, String title, int quantity, long priceCents, List<String> tags) {
    }

    /** An order. Public for Jackson. */
    public record Order(long id, String customer, String email, boolean express, List<Line> lines, Map<String, String> meta) {
    }

    static Order order(long seed) {
        List<Line> lines = new ArrayList<>(20);
        for (int i = 0; i < 20; i++) {
            lines.add(new Line("SKU-" + (seed + i), "A book about the number " + i, 1 + i % 3, 1999 + i * 100L,
                    List.of("books", i % 2 == 0 ? "paperback" : "hardcover")));
        }
        return new Order(seed, "Ada Lovelace", "ada@example.org", seed % 2 == 0, lines, Map.of("channel", "web", "coupon", "NONE"));
    }

    static long json(long seed) {
        long sum = 0;
        try {
            for (int r = 0; r < JSON_ROUNDS; r++) {
                byte[] bytes = JSON.writeValueAsBytes(order(seed + r));
                Order back = JSON.readValue(bytes, Order.class);
                sum += bytes.length + back.lines().get(r % 20).priceCents();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sum;
    }

    // ---- alloc -----------------------------------------------------------------------------

    static final int ALLOC_NODES = 1 << 14;

    /** A list node with a payload of its own. */
    private static final class Node {
        final long[] payload;
        final Node next;

        Node(long[] payload, Node next) {
            this.payload = payload;
            this.next = next;
        }
    }

    static final int ALLOC_ROUNDS = 12;

    static long alloc(long seed) {
        long sum = 0;
        for (int r = 0; r < ALLOC_ROUNDS; r++) {
            Node head = null;
            for (int i = 0; i < ALLOC_NODES; i++) {
                long[] payload = new long[4];
                payload[i & 3] = seed + r + i;
                head = new Node(payload, head);
            }
            for (Node n = head; n != null; n = n.next) {
                sum += n.payload[0] ^ n.payload[3];
            }
        }
        return sum;
    }
}
