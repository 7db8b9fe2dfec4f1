package io.cadre.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns benchmark results into the PNG charts of docs/benchmarks.md. Run it through
 * {@code ./cadre.sh bench charts [--out DIR] [FILE or DIR ...]} (from the repository root):
 * <ul>
 *   <li>no FILE: from {@code bench-results/}, the newest {@code load-compare-*.csv} and
 *       {@code idle-memory-*.txt} (by the stamp in their names), and the newest JMH JSON result
 *       ({@code -rf json}, such as {@code suite-*.json}) and {@code *memory*.csv} (by time written);</li>
 *   <li>a DIR: every file of those kinds in it ({@code docs/results} regenerates the charts of the
 *       runs quoted in the docs);</li>
 *   <li>a FILE: that file; one that is none of those kinds is an error.</li>
 * </ul>
 * Charts go to {@code docs/charts/} unless {@code --out} says otherwise, named after the result
 * file they come from, each with a caption naming that file and its date.
 */
public final class Charts {
    /** A UTC stamp in a file name: yyyyMMddTHHmmssZ, or yyyyMMddTHHmmZ. */
    private static final Pattern STAMP = Pattern.compile("(\\d{8})T(\\d{4})(\\d{2})?Z");

    private Charts() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path out = Path.of("docs", "charts");
        List<Path> inputs = new ArrayList<>();
        boolean named = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) {
                out = Path.of(args[++i]);
            } else if (Files.isDirectory(Path.of(args[i]))) {
                inputs.addAll(chartable(Path.of(args[i]), false));
                named = true;
            } else if (Files.isRegularFile(Path.of(args[i]))) {
                inputs.add(Path.of(args[i]));
                named = true;
            } else {
                fail("no such file or directory: " + args[i]);
            }
        }
        if (!named) {
            inputs.addAll(chartable(Path.of("bench-results"), true));
        }
        if (inputs.isEmpty()) {
            fail("no results to chart. Run ./cadre.sh bench load-compare, ./cadre.sh bench idle-memory, or a JMH benchmark"
                    + " with -rf json -rff bench-results/NAME.json, then run this again (or name the files).");
        }
        int count = 0;
        int failed = 0;
        for (Path in : inputs) {
            try {
                for (Path made : chart(in, out)) {
                    System.out.println(made + "  <- " + display(in));
                    count++;
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("charts: could not chart " + display(in) + ": " + e);
                failed++;
            }
        }
        System.out.println(count + " charts in " + out + (failed > 0 ? "; " + failed + " files could not be charted (above)" : ""));
        if (failed > 0) {
            System.exit(1);
        }
    }

    /** The chartable files in {@code dir}: with {@code newestOnly}, only the newest of each kind. */
    static List<Path> chartable(Path dir, boolean newestOnly) throws IOException {
        List<Path> files;
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        List<Path> picked = new ArrayList<>();
        for (String prefix : List.of("load-compare-", "idle-memory-")) {
            String ext = prefix.startsWith("load") ? ".csv" : ".txt";
            List<Path> kind = files.stream().filter(f -> name(f).startsWith(prefix) && name(f).endsWith(ext)).toList();
            if (newestOnly) {
                kind.stream().max(Comparator.comparing(Charts::name)).ifPresent(picked::add);
            } else {
                picked.addAll(kind);
            }
        }
        List<Path> memory = files.stream().filter(f -> name(f).endsWith(".csv") && name(f).contains("memory")).toList();
        List<Path> jmh = files.stream().filter(f -> name(f).endsWith(".json") && isJmh(f)).toList();
        for (List<Path> kind : List.of(memory, jmh)) {
            if (newestOnly) {
                kind.stream().max(Comparator.comparing(Charts::modified)).ifPresent(picked::add);
            } else {
                picked.addAll(kind);
            }
        }
        return picked;
    }

    private static List<Path> chart(Path in, Path out) throws IOException {
        String n = name(in);
        String source = display(in);
        if (n.startsWith("load-compare") && n.endsWith(".csv")) {
            return LoadSummary.read(in).chart(out, source);
        }
        if (n.endsWith(".csv") && n.contains("memory")) {
            return MemoryCharts.memoryCsv(in, out, source);
        }
        if (n.startsWith("idle-memory") && n.endsWith(".txt")) {
            return MemoryCharts.idleMemory(in, out, source);
        }
        if (n.endsWith(".json")) {
            List<JmhResult> results = JmhResult.read(in);
            if (results.isEmpty()) {
                fail(source + " is not a JMH result file (-rf json)");
            }
            String caption = sentence("Source: " + source + ", " + date(in), "JDK " + results.getFirst().jdk(), machine(in).orElse(null))
                    + " Drawn by ./cadre.sh bench charts.";
            return JmhCharts.chart(results, out, baseName(in), caption);
        }
        fail("cannot chart " + source + ": expected load-compare-*.csv, idle-memory-*.txt, *memory*.csv or a JMH .json result");
        return List.of();
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static boolean isJmh(Path json) {
        try {
            return !JmhResult.read(json).isEmpty();
        } catch (IOException e) {
            return false; // not JSON, or not readable: not ours to chart
        }
    }

    /** The parts that are there, joined with "; ", ending with a full stop. */
    static String sentence(String... parts) {
        StringBuilder s = new StringBuilder();
        for (String p : parts) {
            if (p != null && !p.isBlank()) {
                s.append(s.isEmpty() ? "" : "; ").append(p.strip());
            }
        }
        return s.append('.').toString();
    }

    /** The file name without its extension: the charts drawn from it start with this. */
    static String baseName(Path file) {
        String n = name(file);
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /**
     * The run's UTC time from a {@code yyyyMMddTHHmmssZ} stamp in the file name (JMH writes no date
     * into its JSON; a file's modification time changes with every checkout, and the chart with it).
     */
    static String date(Path file) {
        Matcher m = STAMP.matcher(name(file));
        if (m.find()) {
            String stamp = m.group(1) + "T" + m.group(2) + (m.group(3) == null ? "00" : m.group(3)) + "Z";
            return Instant.from(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX").parse(stamp)).toString();
        }
        return "run date not recorded (put a yyyyMMddTHHmmssZ stamp in the file name)";
    }

    /** The "machine: ..." line of the report beside a JMH JSON file (same name, .txt), when there is one. */
    private static Optional<String> machine(Path json) throws IOException {
        Path txt = json.resolveSibling(baseName(json) + ".txt");
        if (!Files.isRegularFile(txt)) {
            return Optional.empty();
        }
        try (Stream<String> lines = Files.lines(txt)) {
            return lines.filter(l -> l.startsWith("machine: ")).findFirst();
        }
    }

    private static String display(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path cwd = Path.of("").toAbsolutePath();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    private static String name(Path file) {
        return file.getFileName().toString();
    }

    private static void fail(String message) {
        System.err.println("charts: " + message);
        System.exit(2);
    }
}
