package io.cadre.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One entry of a JMH result file ({@code -rf json}): a benchmark method with one set of
 * parameters. Read generically: the parameter names and the benchmark names are whatever the
 * benchmark declared.
 *
 * @param benchmark the full name, {@code package.Class.method}
 * @param threads JMH's {@code threads} (the {@code @Threads} or {@code -t} count)
 * @param params the {@code @Param} values, in file order
 * @param primary the primary metric
 * @param secondary the secondary metrics by name (profilers, {@code @AuxCounters})
 */
record JmhResult(String benchmark, String mode, int threads, Map<String, String> params, Metric primary,
        Map<String, Metric> secondary, String jdk) {

    /**
     * A score with its error (JMH's 99.9% confidence half-width; NaN when JMH had too few
     * iterations) and, in sample mode, its percentiles by percentile ("50.0", "99.0", "99.9").
     */
    record Metric(double score, double error, String unit, Map<String, Double> percentiles) {
    }

    /** {@code Class} of {@code package.Class.method}. */
    String className() {
        String[] parts = benchmark.split("\\.");
        return parts.length >= 2 ? parts[parts.length - 2] : benchmark;
    }

    /** {@code method} of {@code package.Class.method}. */
    String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /** Reads a JMH JSON result file; an empty list when the file is JSON but not a JMH result array. */
    static List<JmhResult> read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        List<JmhResult> results = new ArrayList<>();
        if (root == null || !root.isArray()) {
            return results;
        }
        for (JsonNode n : root) {
            if (!n.has("benchmark") || !n.has("primaryMetric")) {
                return List.of();
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.path("params").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                params.put(e.getKey(), e.getValue().asText());
            }
            Map<String, Metric> secondary = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.path("secondaryMetrics").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                secondary.put(e.getKey(), metric(e.getValue()));
            }
            results.add(new JmhResult(n.path("benchmark").asText(), n.path("mode").asText(), n.path("threads").asInt(1), params,
                    metric(n.path("primaryMetric")), secondary, n.path("jdkVersion").asText("")));
        }
        return results;
    }

    private static Metric metric(JsonNode m) {
        Map<String, Double> percentiles = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = m.path("scorePercentiles").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            percentiles.put(e.getKey(), e.getValue().asDouble());
        }
        return new Metric(number(m.path("score")), number(m.path("scoreError")), m.path("scoreUnit").asText(""), percentiles);
    }

    /** JMH writes "NaN" as a string when it has no error estimate. */
    private static double number(JsonNode n) {
        return n.isNumber() ? n.asDouble() : n.isTextual() ? parse(n.asText()) : Double.NaN;
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
