package io.cadre.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jfree.chart.JFreeChart;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * Charts for one JMH result file, one set per benchmark class. Parameter and benchmark names are
 * read from the file, so a new benchmark needs no change here:
 * <ul>
 *   <li>a scaling curve (score against a count) when the class varies a count: a {@code @Param}
 *       named like {@code n}, {@code threads}, {@code workers}, {@code processes}, {@code units}
 *       (or any integer {@code @Param} of a class whose name contains "Scaling"), else JMH's own
 *       thread count. One line per value of a {@code model}-like parameter ({@code model},
 *       {@code executor}, {@code kind}, ...) and one chart per value of the other varying
 *       parameters (such as {@code kernel}); without a model-like parameter, one line each;</li>
 *   <li>otherwise p50/p99/p99.9 bars for sample-mode results and score bars (± JMH's error) for
 *       the others;</li>
 *   <li>memory: secondary metrics in bytes (unit B, KiB, MB, ...) or named so ({@code rssKiB},
 *       {@code heapMiB}, anything with rss, pss, heap or memory in its name), as curves against the
 *       count, or as one bar chart with a bar per metric and unit of concurrency.</li>
 * </ul>
 * Parameters with one value across a class are left out of the labels and named in the caption.
 */
final class JmhCharts {
    /** Names of parameters (or columns) that count threads, processes or units. */
    static final Pattern COUNT = Pattern.compile(
            "(?i)threads?|n|workers?|process(es)?|procs?|units?|parallelism|cores|jvms|count|concurrency|clients");
    private static final Pattern MODEL = Pattern.compile("(?i)model|mode|executor|kind|impl(ementation)?|strategy|unit|type");
    private static final Pattern BYTES = Pattern.compile("(?i)(B|bytes|KB|KiB|MB|MiB|GB|GiB)(/op)?");
    private static final Pattern MEMORY_NAME = Pattern.compile("(?i).*(rss|pss|heap|memory|bytes|kib|mib|gib).*");
    private static final Pattern UNIT_IN_NAME = Pattern.compile("(?i).*?(KiB|MiB|GiB|KB|MB|GB|bytes)$");
    /** The pseudo-parameter for JMH's own thread count. */
    private static final String JMH_THREADS = "JMH threads";

    private JmhCharts() {
    }

    static List<Path> chart(List<JmhResult> results, Path out, String base, String caption) throws IOException {
        Map<String, List<JmhResult>> byClass = new LinkedHashMap<>();
        for (JmhResult r : results) {
            byClass.computeIfAbsent(r.className(), k -> new ArrayList<>()).add(r);
        }
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, List<JmhResult>> e : byClass.entrySet()) {
            Group g = new Group(e.getKey(), e.getValue());
            String file = base + "-" + g.cls.toLowerCase(Locale.ROOT);
            String cap = caption + (g.fixed.isEmpty() ? "" : " Fixed: " + String.join(", ",
                    g.fixed.entrySet().stream().map(f -> f.getKey() + "=" + f.getValue()).toList()) + ".");
            if (g.x != null) {
                written.addAll(curves(g, out, file, cap));
                continue;
            }
            List<JmhResult> sampled = g.results.stream().filter(r -> r.mode().equals("sample")).toList();
            if (!sampled.isEmpty()) {
                written.add(percentiles(g, sampled, cap, out(out, file + "-percentiles")));
            }
            List<JmhResult> scored = g.results.stream().filter(r -> !r.mode().equals("sample")).toList();
            if (!scored.isEmpty()) {
                written.add(scores(g, scored, cap, out(out, file + "-scores")));
            }
            if (!g.memory.isEmpty()) {
                written.add(memoryBars(g, cap, out(out, file + "-memory")));
            }
        }
        return written;
    }

    /** What one benchmark class varies. */
    private static final class Group {
        final String cls;
        final List<JmhResult> results;
        final boolean oneMethod;
        /** The count axis, or null. */
        final String x;
        /** Parameters (other than x) with more than one value, and those among them that pick a line. */
        final List<String> varying = new ArrayList<>();
        final List<String> lines = new ArrayList<>();
        final Map<String, String> fixed = new LinkedHashMap<>();
        /** Secondary metrics that measure memory. */
        final Set<String> memory = new LinkedHashSet<>();

        Group(String cls, List<JmhResult> results) {
            this.cls = cls;
            this.results = results;
            this.oneMethod = results.stream().map(JmhResult::method).distinct().count() == 1;
            this.x = countAxis(cls, results);
            Set<String> names = new LinkedHashSet<>();
            results.forEach(r -> names.addAll(r.params().keySet()));
            for (String p : names) {
                List<String> values = results.stream().map(r -> r.params().get(p)).filter(Objects::nonNull).distinct().toList();
                if (values.size() == 1) {
                    fixed.put(p, values.getFirst());
                } else if (!p.equals(x)) {
                    varying.add(p);
                }
            }
            varying.stream().filter(p -> MODEL.matcher(p).matches()).forEach(lines::add);
            if (lines.isEmpty()) {
                lines.addAll(varying);
            }
            results.forEach(r -> r.secondary().forEach((name, m) -> {
                if (BYTES.matcher(m.unit()).matches() || MEMORY_NAME.matcher(name).matches()) {
                    memory.add(name);
                }
            }));
        }

        /** The method (unless the class has one) and the values of {@code params}, as {@code name=value}. */
        String label(JmhResult r, List<String> params) {
            StringBuilder s = new StringBuilder(oneMethod ? "" : r.method());
            for (String p : params) {
                if (r.params().containsKey(p)) {
                    s.append(s.isEmpty() ? "" : " ").append(p).append('=').append(r.params().get(p));
                }
            }
            if (!JMH_THREADS.equals(x) && results.stream().map(JmhResult::threads).distinct().count() > 1) {
                s.append(s.isEmpty() ? "" : " ").append("jmh-threads=").append(r.threads());
            }
            return s.isEmpty() ? r.method() : s.toString();
        }
    }

    /** The parameter that counts threads, processes or units across this class's results, or null. */
    static String countAxis(String cls, List<JmhResult> group) {
        Set<String> integers = new LinkedHashSet<>();
        for (JmhResult r : group) {
            integers.addAll(r.params().keySet());
        }
        integers.removeIf(p -> group.stream().anyMatch(r -> r.params().containsKey(p) && !r.params().get(p).matches("\\d+"))
                || group.stream().map(r -> r.params().get(p)).distinct().count() < 2);
        for (String p : integers) {
            if (COUNT.matcher(p).matches()) {
                return p;
            }
        }
        if (cls.contains("Scaling") && !integers.isEmpty()) {
            return integers.iterator().next();
        }
        return group.stream().map(JmhResult::threads).distinct().count() > 1 ? JMH_THREADS : null;
    }

    /** One chart per mode and value of the parameters that do not pick a line; then the memory metrics. */
    private static List<Path> curves(Group g, Path out, String file, String caption) throws IOException {
        List<String> split = g.varying.stream().filter(p -> !g.lines.contains(p)).toList();
        Map<String, List<JmhResult>> charts = new LinkedHashMap<>();
        for (JmhResult r : g.results) {
            charts.computeIfAbsent(r.mode() + " " + labelOf(r, split), k -> new ArrayList<>()).add(r);
        }
        boolean manyModes = g.results.stream().map(JmhResult::mode).distinct().count() > 1;
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, List<JmhResult>> c : charts.entrySet()) {
            JmhResult first = c.getValue().getFirst();
            String which = split.isEmpty() ? "" : labelOf(first, split);
            String name = file + "-scaling" + (manyModes ? "-" + first.mode() : "") + (which.isEmpty() ? "" : "-" + slug(which));
            written.add(curve(g, g.cls + ": " + modeName(first.mode()) + " against " + g.x + (which.isEmpty() ? "" : " (" + which + ")"),
                    c.getValue(), JmhResult::primary, g.lines, caption, out.resolve(name + ".png")));
        }
        for (String metric : g.memory) {
            written.add(curve(g, g.cls + ": " + metric + " against " + g.x, g.results, r -> r.secondary().get(metric), g.varying,
                    caption, out.resolve(file + "-memory-" + slug(metric) + ".png")));
        }
        return written;
    }

    private static Path curve(Group g, String title, List<JmhResult> results, Function<JmhResult, JmhResult.Metric> metric,
            List<String> lineParams, String caption, Path file) throws IOException {
        Map<String, YIntervalSeries> series = new LinkedHashMap<>();
        String unit = "";
        for (JmhResult r : results) {
            JmhResult.Metric m = metric.apply(r);
            if (m == null || Double.isNaN(m.score())) {
                continue;
            }
            unit = m.unit();
            double xv = JMH_THREADS.equals(g.x) ? r.threads() : Double.parseDouble(r.params().get(g.x));
            double err = Double.isNaN(m.error()) ? 0 : m.error();
            series.computeIfAbsent(g.label(r, lineParams), YIntervalSeries::new).add(xv, m.score(), m.score() - err, m.score() + err);
        }
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        series.values().forEach(data::addSeries);
        JFreeChart chart = ChartMaker.lines(title, g.x, unitOf(title, unit), data);
        ChartMaker.caption(chart, caption + " Error bars: JMH's 99.9% confidence interval where it had one.");
        return ChartMaker.save(chart, file, 560);
    }

    private static Path percentiles(Group g, List<JmhResult> results, String caption, Path file) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        String unit = "";
        for (JmhResult r : results) {
            unit = r.primary().unit();
            for (String p : List.of("50.0", "99.0", "99.9")) {
                Double v = r.primary().percentiles().get(p);
                if (v != null) {
                    data.addValue(v, "p" + p.replace(".0", ""), g.label(r, g.varying));
                }
            }
        }
        JFreeChart chart = ChartMaker.bars(g.cls + ": sample-time percentiles", unit + " (log scale)", data, true, "0.###");
        ChartMaker.caption(chart, caption);
        return ChartMaker.save(chart, file, ChartMaker.heightFor(data.getColumnCount(), 3));
    }

    private static Path scores(Group g, List<JmhResult> results, String caption, Path file) throws IOException {
        DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
        String unit = "";
        for (JmhResult r : results) {
            unit = r.primary().unit();
            double err = Double.isNaN(r.primary().error()) ? 0 : r.primary().error();
            data.add(r.primary().score(), err, modeName(r.mode()), g.label(r, g.varying));
        }
        JFreeChart chart = ChartMaker.statisticalBars(g.cls + ": score per benchmark", unit, data);
        ChartMaker.caption(chart, caption + " Error bars: JMH's 99.9% confidence interval where it had one.");
        return ChartMaker.save(chart, file, ChartMaker.heightFor(data.getColumnCount(), data.getRowCount()));
    }

    /** Every memory metric of the class as one series, a bar group per result; log scale when they span decades. */
    private static Path memoryBars(Group g, String caption, Path file) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        double min = Double.MAX_VALUE;
        double max = 0;
        String unit = "";
        for (JmhResult r : g.results) {
            for (String metric : g.memory) {
                JmhResult.Metric m = r.secondary().get(metric);
                if (m != null && !Double.isNaN(m.score()) && m.score() > 0) {
                    data.addValue(m.score(), metric, g.label(r, g.varying));
                    min = Math.min(min, m.score());
                    max = Math.max(max, m.score());
                    unit = unitOf(metric, m.unit());
                }
            }
        }
        boolean log = max / min > 100;
        JFreeChart chart = ChartMaker.bars(g.cls + ": memory per unit", unit + (log ? " (log scale)" : ""), data, log, "#,##0.#");
        ChartMaker.caption(chart, caption + " Values as the benchmark reports them (see its Javadoc for what each counts).");
        return ChartMaker.save(chart, file, ChartMaker.heightFor(data.getColumnCount(), data.getRowCount()));
    }

    /** A unit named at the end of a metric name (rssKiB: KiB) wins over JMH's, which is "#" for counters. */
    private static String unitOf(String name, String jmhUnit) {
        var m = UNIT_IN_NAME.matcher(name);
        return m.matches() ? m.group(1) : jmhUnit;
    }

    private static String labelOf(JmhResult r, List<String> params) {
        StringBuilder s = new StringBuilder();
        for (String p : params) {
            s.append(s.isEmpty() ? "" : " ").append(p).append('=').append(r.params().get(p));
        }
        return s.toString();
    }

    private static Path out(Path dir, String name) {
        return dir.resolve(name + ".png");
    }

    private static String modeName(String mode) {
        return switch (mode) {
            case "thrpt" -> "throughput";
            case "avgt" -> "average time";
            case "sample" -> "sample time";
            case "ss" -> "single-shot time";
            default -> mode;
        };
    }

    private static String slug(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }
}
