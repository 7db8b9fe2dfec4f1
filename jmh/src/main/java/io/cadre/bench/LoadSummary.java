package io.cadre.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The summary CSV that {@code jmh/scripts/load-compare.sh} writes, and its two charts: latency
 * percentiles per scenario and throughput per scenario. The file starts with {@code # key: value}
 * lines (the command, machine, JDK, date and load), then a header row, then one row per wrk run.
 */
record LoadSummary(Path file, String command, Map<String, String> meta, List<Row> rows) {

    /** One wrk run. Latencies: UNIT: µs. */
    record Row(String scenario, String route, int connections, double reqPerSec, long p50, long p99, long p999, String note) {
        String label() {
            return scenario + "  " + route + " (" + connections + " conn.)";
        }

        boolean measuresCapacity() {
            return !note.startsWith("probe") && !note.startsWith("saturating");
        }
    }

    static LoadSummary read(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        List<Row> rows = new ArrayList<>();
        String command = "";
        List<String> header = null;
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("#")) {
                String text = line.substring(1).trim();
                int colon = text.indexOf(": ");
                if (colon > 0 && command.isEmpty() && text.startsWith("load-compare")) {
                    command = text.substring(colon + 2);
                } else if (colon > 0) {
                    meta.putIfAbsent(text.substring(0, colon), text.substring(colon + 2));
                }
            } else if (header == null) {
                header = Arrays.asList(line.split(",", -1));
            } else if (!line.isBlank()) {
                String[] f = line.split(",", -1);
                rows.add(new Row(f[header.indexOf("scenario")], f[header.indexOf("route")],
                        Integer.parseInt(f[header.indexOf("connections")]), Double.parseDouble(f[header.indexOf("req_per_s")]),
                        Long.parseLong(f[header.indexOf("p50_us")]), Long.parseLong(f[header.indexOf("p99_us")]),
                        Long.parseLong(f[header.indexOf("p999_us")]), f[header.indexOf("note")]));
            }
        }
        if (header == null || rows.isEmpty()) {
            throw new IOException(file + " has no load-compare rows");
        }
        return new LoadSummary(file, command, meta, rows);
    }

    /** Draws the latency and throughput charts into {@code out}; returns the files written. */
    List<Path> chart(Path out, String source) throws IOException {
        String base = Charts.baseName(file);
        String caption = Charts.sentence("Source: " + source + " (" + command + "), " + meta.getOrDefault("date", "date unknown"),
                meta.get("machine"), meta.get("jdk"), "load average " + meta.getOrDefault("load before", "?") + " before, "
                + meta.getOrDefault("load after", "?") + " after")
                + " wrk on the same machine; closed-loop latencies. Drawn by ./cadre.sh bench charts.";
        List<Path> written = new ArrayList<>();

        DefaultCategoryDataset latency = new DefaultCategoryDataset();
        for (Row r : rows) {
            latency.addValue(r.p50 / 1000.0, "p50", r.label());
            latency.addValue(r.p99 / 1000.0, "p99", r.label());
            latency.addValue(r.p999 / 1000.0, "p99.9", r.label());
        }
        JFreeChart chart = ChartMaker.bars("Latency percentiles per load scenario", "latency, ms (log scale)", latency, true, "0.##");
        ChartMaker.caption(chart, caption + " Probe rows: 4 paced connections; the /compute row is the saturating load"
                + " (503 answers included).");
        written.add(ChartMaker.save(chart, out.resolve(base + "-latency.png"), ChartMaker.heightFor(rows.size(), 3)));

        DefaultCategoryDataset throughput = new DefaultCategoryDataset();
        int n = 0;
        for (Row r : rows) {
            if (r.measuresCapacity()) {
                throughput.addValue(r.reqPerSec, "requests/s", r.label());
                n++;
            }
        }
        chart = ChartMaker.bars("Throughput per load scenario", "requests per second", throughput, false, "#,##0");
        chart.removeLegend();
        ChartMaker.caption(chart, caption + " Paced probes and the saturating /compute load are left out (see the latency chart).");
        written.add(ChartMaker.save(chart, out.resolve(base + "-throughput.png"), ChartMaker.heightFor(n, 1)));
        return written;
    }
}
