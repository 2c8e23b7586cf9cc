package org.vmtest.analyzer.offline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vmtest.analyzer.patterns.Hit;
import org.vmtest.analyzer.patterns.JobScanner;
import org.vmtest.analyzer.patterns.PatternLibrary;
import org.vmtest.analyzer.patterns.PatternLoadException;
import org.vmtest.analyzer.patterns.ScanState;
import org.vmtest.protocol.Action;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.codec.Json;

/**
 * The analyzer's engine over plain console logs, one VM's log per file: the same patterns, the same report framing,
 * the same verdict rule (fail iff a finding aborts or fails the job, or is critical, an error or a failure). This is
 * how a pattern is tried on yesterday's logs before it is deployed.
 */
public final class OfflineAnalyzer {
    /** Kernel timestamps give a log its clock, so a report's grace means the same as it does live. */
    private static final Pattern KERNEL_TIME = Pattern.compile("^\\[\\s*(\\d{1,9})\\.(\\d{1,9})\\]");

    /** One finding of a file. {@code line} is 1-based; {@code value} only for metrics. */
    public record Finding(String pattern, Category category, Action action, int line, String title, Double value) {
        public Finding {
            Objects.requireNonNull(pattern, "pattern");
        }

        boolean failsTheJob() {
            return action == Action.ABORT || action == Action.FAIL || category == Category.CRITICAL
                    || category == Category.FAILURE || category == Category.ERROR;
        }
    }

    /** @param verdict {@code pass} or {@code fail} */
    public record FileResult(Path file, String verdict, List<Finding> findings) {
        public FileResult {
            findings = List.copyOf(findings);
        }

        public boolean failed() {
            return "fail".equals(verdict);
        }
    }

    private final JobScanner scanner;

    public OfflineAnalyzer(PatternLibrary library) {
        this.scanner = new JobScanner(library, JobScanner.DEFAULT_GRACE);
    }

    public FileResult analyze(Path file) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (var reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder))) {
            return analyze(file, reader);
        }
    }

    /** Analyzes lines from any reader; {@code file} only names the result. */
    public FileResult analyze(Path file, BufferedReader reader) throws IOException {
        ScanState state = ScanState.empty();
        var hits = new ArrayList<Hit>();
        Instant time = Instant.EPOCH;
        String line;
        long n = 0;
        while ((line = reader.readLine()) != null) {
            n++;
            time = timeOf(line, time);
            hits.addAll(scanner.onTick(state, time));
            hits.addAll(scanner.onLine(state, n, null, LineSource.CONSOLE, time, line));
        }
        hits.addAll(scanner.onEnd(state));
        var findings = new ArrayList<Finding>();
        for (Hit h : hits) {
            if (h.pattern().category() == Category.PROGRESS) continue;
            findings.add(new Finding(h.pattern().id(), h.pattern().category(), h.pattern().action(), (int) h.seq(),
                    h.title(), h.value()));
        }
        findings.sort((a, b) -> Integer.compare(a.line(), b.line()));
        boolean fail = findings.stream().anyMatch(Finding::failsTheJob);
        return new FileResult(file, fail ? "fail" : "pass", findings);
    }

    private static Instant timeOf(String line, Instant previous) {
        Matcher m = KERNEL_TIME.matcher(line);
        if (!m.find()) return previous;
        String fraction = (m.group(2) + "000000000").substring(0, 9);
        Instant t = Instant.EPOCH.plus(Duration.ofSeconds(Long.parseLong(m.group(1)), Long.parseLong(fraction)));
        // a reboot restarts the kernel clock: keep time moving forward
        return t.isBefore(previous) ? previous : t;
    }

    /** {@code {"file":..., "verdict":"pass"|"fail", "findings":[{"pattern","category","line","title"}]}} */
    public static String toJson(FileResult result) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("file", result.file().toString());
        root.put("verdict", result.verdict());
        var findings = root.putArray("findings");
        for (Finding f : result.findings()) {
            ObjectNode o = findings.addObject();
            o.put("pattern", f.pattern());
            o.put("category", f.category().name().toLowerCase(java.util.Locale.ROOT));
            o.put("line", f.line());
            o.put("title", f.title());
            if (f.value() != null) o.put("value", f.value());
        }
        try {
            return Json.mapper().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serializes", e);
        }
    }

    /** One JSON object per file, each on its own line. */
    public static void writeJsonLines(List<FileResult> results, PrintStream out) {
        for (FileResult r : results) out.println(toJson(r));
    }

    /**
     * The {@code vmtest analyze [--json] [--patterns DIR]... FILE...} command without its argument parsing.
     *
     * @return 0 if every file passes, 1 if any fails, 2 if the patterns or a file cannot be read
     */
    public static int run(List<Path> files, List<Path> patternDirs, boolean json, PrintStream out) {
        PatternLibrary library;
        try {
            library = PatternLibrary.load(patternDirs);
        } catch (PatternLoadException e) {
            out.println("error: " + e.getMessage());
            return 2;
        }
        var analyzer = new OfflineAnalyzer(library);
        boolean anyFailed = false;
        boolean unreadable = false;
        for (Path file : files) {
            FileResult r;
            try {
                r = analyzer.analyze(file);
            } catch (IOException e) {
                out.println("error: " + file + ": cannot read: " + e.getMessage());
                unreadable = true;
                continue;
            }
            anyFailed |= r.failed();
            if (json) {
                out.println(toJson(r));
            } else {
                out.println(file + ": " + r.verdict());
                for (Finding f : r.findings()) {
                    out.println("  line " + f.line() + ": " + f.category().name().toLowerCase(java.util.Locale.ROOT)
                            + ": " + f.title() + " (" + f.pattern() + ")");
                }
            }
        }
        return unreadable ? 2 : anyFailed ? 1 : 0;
    }
}
