package org.vmtest.analyzer.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.vmtest.analyzer.patterns.PatternLibrary;
import org.vmtest.protocol.jobs.PatternSpec;

/**
 * The pattern matcher against the naive java.util.regex loop over the same library, on one thread, at 25, 150 and
 * 500 patterns. One operation is one console line. Run with
 * {@code java -cp "$(cat cp.txt):analyzer/target/test-classes:analyzer/target/classes" org.vmtest.analyzer.bench.MatcherBenchmark}
 * (see docs/BENCHMARKS.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 2, time = 4)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class MatcherBenchmark {
    static final int LINES = 1 << 20;

    @Param({"25", "150", "500"})
    int patterns;

    @Param({"HYPERSCAN", "LITERALS", "NAIVE"})
    String engine;

    /**
     * {@code all}: the generated console lines as they come (a third of them match some pattern of the larger
     * libraries, none matches the first 25); {@code unmatched}: only lines that no pattern of the 500-pattern library
     * matches, the same lines for every library size, so the figure is the prefilter's own cost per line.
     */
    @Param({"all", "unmatched"})
    String lineSet;

    private org.vmtest.analyzer.patterns.BenchAccess.Matcher matcher;
    private String[] lines;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        PatternLibrary library = PatternLibrary.fromSpecs(library(patterns));
        matcher = org.vmtest.analyzer.patterns.BenchAccess.matcher(library, PatternLibrary.Engine.valueOf(engine));
        lines = new ConsoleCorpus().generate(1, LINES, 0.001);
        if (lineSet.equals("unmatched")) lines = unmatched(lines);
    }

    /** The lines no pattern of the largest library matches, repeated to fill the same number of lines. */
    private static String[] unmatched(String[] lines) {
        var largest = org.vmtest.analyzer.patterns.BenchAccess.matcher(PatternLibrary.fromSpecs(library(500)),
                PatternLibrary.Engine.LITERALS);
        String[] kept = java.util.Arrays.stream(lines).filter(l -> largest.match(l).length == 0).toArray(String[]::new);
        String[] out = new String[lines.length];
        for (int i = 0; i < out.length; i++) out[i] = kept[i % kept.length];
        return out;
    }

    @Benchmark
    @OperationsPerInvocation(1024)
    public void matchLines(Blackhole bh) {
        int i = next;
        for (int k = 0; k < 1024; k++) {
            bh.consume(matcher.match(lines[i]));
            i = (i + 1) & (LINES - 1);
        }
        next = i;
    }

    /**
     * The first {@code n} built-in patterns (without report framing, which the matcher does not use); beyond the
     * built-in library's size, realistic variants: the same failure shapes for other subsystems and tools.
     */
    public static List<PatternSpec> library(int n) {
        List<PatternSpec> builtIn = PatternLibrary.builtIn().patterns();
        var out = new ArrayList<PatternSpec>();
        for (int i = 0; i < n && i < builtIn.size(); i++) out.add(builtIn.get(i));
        String[] subsystems = {"nvme", "mlx5_core", "i915", "amdgpu", "xhci_hcd", "e1000e", "iwlwifi", "ahci",
                               "virtio_net", "btrfs", "xfs", "nfs", "cifs", "zfs", "dm_crypt", "md", "scsi", "usb",
                               "bluetooth", "snd_hda_intel", "thermal", "acpi", "pcieport", "rtc_cmos", "tpm"};
        String[] shapes = {
            "%s \\S+: (?:timeout|reset) (?<what>\\w+) failed(?:, error -?\\d+)?",
            "%s: probe of (?<dev>\\S+) failed with error -(?<err>\\d+)",
            "%s(?: \\S+)?: firmware crashed(?: \\((?<why>[^)]+)\\))?",
            "%s(?:\\[\\d+\\])?: fatal error: (?<what>.+)",
            "%s: (?<dev>\\S+): hardware error (?<code>0x[0-9a-f]+)",
            "%s-daemon\\[\\d+\\]: Failed to (?<what>\\w+) (?<obj>\\S+): (?<why>.+)",
            "%s: Unit (?<unit>\\S+) entered failed state",
            "%s: watchdog timeout on (?<dev>\\S+) after \\d+ ?ms",
        };
        for (int i = 0; out.size() < n; i++) {
            String sub = subsystems[i % subsystems.length];
            String shape = shapes[(i / subsystems.length) % shapes.length];
            int round = i / (subsystems.length * shapes.length);
            String name = round == 0 ? sub : sub + round;
            out.add(new PatternSpec("bench." + name + "." + i, String.format(shape, name),
                    org.vmtest.protocol.Category.ERROR, null, null, null, null, null));
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        var options = new OptionsBuilder().include(MatcherBenchmark.class.getSimpleName());
        if (args.length > 0) options.param("patterns", args);
        new Runner(options.build()).run();
    }
}
