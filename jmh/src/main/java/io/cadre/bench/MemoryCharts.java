package io.cadre.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfree.chart.JFreeChart;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Memory per unit (a worker process, a thread, whatever the file counts), as bars:
 * <ul>
 *   <li>the report of {@code jmh/scripts/idle-memory.sh}: RSS and PSS of each worker and the
 *       primary's RSS;</li>
 *   <li>any CSV whose name contains "memory": {@code # key: value} lines, a header row, then rows;
 *       the text columns and the count columns (named like {@code units}, {@code threads},
 *       {@code workers}) name a bar group, each other numeric column is one series (its header,
 *       with its unit, is the series name).</li>
 * </ul>
 */
final class MemoryCharts {
    private static final Pattern PROCESS = Pattern.compile("^(\\w+) pid (\\d+): RSS ([\\d.]+) MiB(?:, PSS ([\\d.]+) MiB)?");

    private MemoryCharts() {
    }

    static List<Path> idleMemory(Path file, Path out, String source) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        Map<String, String> meta = new LinkedHashMap<>();
        String title = "";
        for (String line : Files.readAllLines(file)) {
            Matcher m = PROCESS.matcher(line);
            if (m.find()) {
                String unit = m.group(1) + " (pid " + m.group(2) + ")";
                data.addValue(Double.parseDouble(m.group(3)), "RSS", unit);
                if (m.group(4) != null) {
                    data.addValue(Double.parseDouble(m.group(4)), "PSS", unit);
                }
            } else if (line.startsWith("# ")) {
                title = line.substring(2);
            } else if (line.matches("^[a-z ]+: .*")) {
                meta.putIfAbsent(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 2));
            }
        }
        if (data.getColumnCount() == 0) {
            throw new IOException(file + " has no 'worker pid N: RSS X MiB' lines");
        }
        JFreeChart chart = ChartMaker.bars("Resident memory per process", "MiB", data, false, "0.0");
        ChartMaker.caption(chart, Charts.sentence("Source: " + source + " (" + title + "), " + meta.getOrDefault("date", "date unknown"),
                meta.get("machine"), meta.get("jdk"))
                + " PSS splits shared pages (the AOT cache, the JDK's class data) between the processes that map them."
                + " Drawn by ./cadre.sh bench charts.");
        return List.of(ChartMaker.save(chart, out.resolve(Charts.baseName(file) + "-memory.png"),
                ChartMaker.heightFor(data.getColumnCount(), data.getRowCount())));
    }

    static List<Path> memoryCsv(Path file, Path out, String source) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        List<String[]> rows = new ArrayList<>();
        String[] header = null;
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("#")) {
                String text = line.substring(1).trim();
                int colon = text.indexOf(": ");
                if (colon > 0) {
                    meta.putIfAbsent(text.substring(0, colon), text.substring(colon + 2));
                }
            } else if (header == null) {
                header = line.split(",", -1);
            } else if (!line.isBlank()) {
                rows.add(line.split(",", -1));
            }
        }
        if (header == null || rows.isEmpty()) {
            throw new IOException(file + " has no rows under a header");
        }
        boolean[] numeric = new boolean[header.length];
        boolean[] count = new boolean[header.length];
        for (int c = 0; c < header.length; c++) {
            final int col = c;
            numeric[c] = rows.stream().allMatch(r -> col < r.length && r[col].matches("-?[\\d.]+(e-?\\d+)?"));
            count[c] = numeric[c] && JmhCharts.COUNT.matcher(header[c]).matches();
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (String[] r : rows) {
            StringBuilder label = new StringBuilder();
            for (int c = 0; c < header.length; c++) {
                if (!numeric[c]) {
                    label.append(label.isEmpty() ? "" : " ").append(c < r.length ? r[c] : "");
                } else if (count[c]) {
                    label.append(label.isEmpty() ? "" : " ").append(header[c]).append('=').append(r[c]);
                }
            }
            for (int c = 0; c < header.length; c++) {
                if (numeric[c] && !count[c] && !header[c].matches("(?i)pid|run")) {
                    data.addValue(Double.parseDouble(r[c]), header[c], label.isEmpty() ? "row " + (rows.indexOf(r) + 1) : label.toString());
                }
            }
        }
        JFreeChart chart = ChartMaker.bars("Memory per unit", "as in each series name", data, false, "#,##0.#");
        ChartMaker.caption(chart, Charts.sentence("Source: " + source + ", " + meta.getOrDefault("date", "date unknown"),
                meta.get("machine"), meta.get("jdk")) + " Drawn by ./cadre.sh bench charts.");
        return List.of(ChartMaker.save(chart, out.resolve(Charts.baseName(file) + ".png"),
                ChartMaker.heightFor(data.getColumnCount(), data.getRowCount())));
    }
}
