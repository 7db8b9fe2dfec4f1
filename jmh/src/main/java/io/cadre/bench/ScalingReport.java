package io.cadre.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads JMH JSON result files ({@code -rf json}) and prints, as Markdown tables:
 * <ul>
 *   <li>for {@code CpuScalingBenchmark}, per kernel: throughput (jobs/s, ± JMH's 99.9% error) at
 *       each N for every model side by side, and the scaling efficiency
 *       {@code E(N) = T(N) / (N x T(1))} of the same kernel and model; then E at the largest N
 *       for every kernel and model in one table;</li>
 *   <li>for {@code MemoryPerUnitBenchmark}: memory per unit of concurrency (RSS, PSS, heap) and
 *       the time to start K units.</li>
 * </ul>
 * Usage: {@code java -cp jmh/target/benchmarks.jar io.cadre.bench.ScalingReport RESULT.json...}.
 */
public final class ScalingReport {
    private static final List<String> MODEL_ORDER = List.of("platform", "virtual", "computePool", "processes", "isolated");

    private ScalingReport() {
    }

    /** One CpuScalingBenchmark result. */
    record Scaling(String kernel, String model, int n, double score, double error, boolean noisy) {
    }

    /** Iterations of one trial that differ by more than this share of their mean mark it noisy. */
    static final double NOISY_SPREAD = 0.15;

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: ScalingReport RESULT.json... (JMH -rf json output)");
            System.exit(2);
        }
        ObjectMapper json = new ObjectMapper();
        List<Scaling> scaling = new ArrayList<>();
        List<JsonNode> memory = new ArrayList<>();
        for (String file : args) {
            for (JsonNode run : json.readTree(Path.of(file).toFile())) {
                String name = run.path("benchmark").asText();
                JsonNode params = run.path("params");
                if (name.endsWith(".CpuScalingBenchmark.job")) {
                    String kernel = params.path("kernel").asText();
                    String units = params.path("jobUnits").asText("10");
                    scaling.add(new Scaling(units.equals("10") ? kernel : kernel + " (jobUnits " + units + ")",
                            params.path("model").asText(), params.path("n").asInt(), run.path("primaryMetric").path("score").asDouble(),
                            number(run.path("primaryMetric").path("scoreError")), noisy(run.path("primaryMetric").path("rawData"))));
                } else if (name.endsWith(".MemoryPerUnitBenchmark.startUnits")) {
                    memory.add(run);
                }
            }
        }
        if (!scaling.isEmpty()) {
            printScaling(scaling);
        }
        if (!memory.isEmpty()) {
            printMemory(memory);
        }
        if (scaling.isEmpty() && memory.isEmpty()) {
            System.out.println("no CpuScalingBenchmark or MemoryPerUnitBenchmark results in " + String.join(", ", args));
        }
    }

    static void printScaling(List<Scaling> results) {
        Set<String> kernels = new LinkedHashSet<>();
        Set<String> models = new TreeSet<>((a, b) -> rank(a) != rank(b) ? Integer.compare(rank(a), rank(b)) : a.compareTo(b));
        Set<Integer> ns = new TreeSet<>();
        Map<String, Scaling> byKey = new LinkedHashMap<>();
        for (Scaling s : results) {
            kernels.add(s.kernel());
            models.add(s.model());
            ns.add(s.n());
            byKey.put(key(s.kernel(), s.model(), s.n()), s);
        }
        System.out.println("## CPU-bound scaling (CpuScalingBenchmark)");
        System.out.println();
        System.out.println("Throughput T in jobs/s (± JMH's 99.9% error), and scaling efficiency E = T(N) / (N x T(1)).");
        System.out.printf(Locale.ROOT, "A * marks a trial whose iterations differ by more than %.0f%% of their mean: the machine was busy"
                + " then; rerun it before reading much into it.%n", NOISY_SPREAD * 100);
        for (String kernel : kernels) {
            System.out.println();
            System.out.println("### kernel " + kernel);
            System.out.println();
            printHeader("| N |", "|---:|", models, " T | E |", "---:|---:|");
            for (int n : ns) {
                StringBuilder row = new StringBuilder("| " + n + " |");
                for (String model : models) {
                    Scaling s = byKey.get(key(kernel, model, n));
                    Scaling one = byKey.get(key(kernel, model, 1));
                    if (s == null) {
                        row.append(" - | - |");
                    } else {
                        row.append(' ').append(fmt(s.score())).append(Double.isNaN(s.error()) ? "" : " ± " + fmt(s.error()))
                                .append(s.noisy() ? " *" : "").append(" | ")
                                .append(one == null ? "-" : String.format(Locale.ROOT, "%.2f", efficiency(s, one))).append(" |");
                    }
                }
                System.out.println(row);
            }
        }
        int top = ns.stream().mapToInt(Integer::intValue).max().orElse(1);
        if (top > 1) {
            System.out.println();
            System.out.println("### efficiency at N = " + top + " (target: at least 0.9 for platform threads and processes)");
            System.out.println();
            printHeader("| kernel |", "|---|", models, " |", "---:|");
            for (String kernel : kernels) {
                StringBuilder row = new StringBuilder("| " + kernel + " |");
                for (String model : models) {
                    Scaling s = byKey.get(key(kernel, model, top));
                    Scaling one = byKey.get(key(kernel, model, 1));
                    row.append(' ').append(s == null || one == null ? "-" : String.format(Locale.ROOT, "%.2f", efficiency(s, one)))
                            .append(s != null && one != null && (s.noisy() || one.noisy()) ? " *" : "").append(" |");
                }
                System.out.println(row);
            }
        }
        System.out.println();
    }

    /** A markdown table's head and rule: the first column, then each model's columns. */
    private static void printHeader(String first, String firstRule, Set<String> models, String cells, String cellRules) {
        StringBuilder head = new StringBuilder(first);
        StringBuilder rule = new StringBuilder(firstRule);
        for (String model : models) {
            head.append(' ').append(model).append(cells);
            rule.append(cellRules);
        }
        System.out.println(head);
        System.out.println(rule);
    }

    static void printMemory(List<JsonNode> runs) {
        System.out.println("## Memory per unit of concurrency (MemoryPerUnitBenchmark)");
        System.out.println();
        System.out.println("Threads: this JVM's RSS/PSS growth per thread, and heap growth after a full GC; processes: each one's whole RSS/PSS.");
        System.out.println();
        System.out.println("| unit | K | RSS KiB/unit | PSS KiB/unit | heap KiB/unit | time to start K, ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (JsonNode run : runs) {
            JsonNode params = run.path("params");
            String unit = params.path("unit").asText();
            boolean threads = unit.equals("platform") || unit.equals("virtual");
            String k = params.path(threads ? "threads" : "processes").asText();
            if (threads && !params.path("depth").asText("0").equals("0")) {
                unit += " (depth " + params.path("depth").asText() + ")";
            }
            JsonNode secondary = run.path("secondaryMetrics");
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", unit, k, fmt(number(secondary.path("rssKiB").path("score"))),
                    fmt(number(secondary.path("pssKiB").path("score"))), fmt(number(secondary.path("heapKiB").path("score"))),
                    fmt(number(run.path("primaryMetric").path("score"))));
        }
        System.out.println();
    }

    /** Whether the measurement iterations (all forks) spread more than {@link #NOISY_SPREAD} of their mean. */
    private static boolean noisy(JsonNode rawData) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        int count = 0;
        for (JsonNode fork : rawData) {
            for (JsonNode value : fork) {
                double v = value.asDouble();
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
                count++;
            }
        }
        return count > 1 && (max - min) > NOISY_SPREAD * (sum / count);
    }

    private static double efficiency(Scaling s, Scaling one) {
        return s.score() / (s.n() * one.score());
    }

    private static int rank(String model) {
        int i = MODEL_ORDER.indexOf(model);
        return i < 0 ? MODEL_ORDER.size() : i;
    }

    private static String key(String kernel, String model, int n) {
        return kernel + '\u0000' + model + '\u0000' + n;
    }

    /** A JSON number, or NaN for "NaN", a missing value or anything else that is not a number. */
    private static double number(JsonNode node) {
        if (node.isNumber()) {
            return node.asDouble();
        }
        try {
            return Double.parseDouble(node.asText());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", v);
    }
}
