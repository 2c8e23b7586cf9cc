package org.vmtest.analyzer.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import org.vmtest.analyzer.patterns.BenchAccess;
import org.vmtest.analyzer.patterns.PatternLibrary;

/**
 * The matcher benchmark's figures in CPU time of the measuring thread instead of wall-clock throughput: on a box
 * whose cores are shared with other work, wall-clock figures swing by ±50 % while a thread's own CPU time per line
 * stays within a few percent. Same libraries and corpus as {@link MatcherBenchmark}; prints the median of several
 * rounds after a warm-up. Run:
 * {@code java -cp ... org.vmtest.analyzer.bench.MatcherCpuTime [LINES] [ENGINE...]}.
 */
public final class MatcherCpuTime {
    private static final int ROUNDS = 5;

    private MatcherCpuTime() {
    }

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1 << 18;
        List<String> engines = args.length > 1 ? List.of(args).subList(1, args.length) : List.of("LITERALS", "NAIVE");
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        String[] all = new ConsoleCorpus().generate(1, count, 0.001);
        var largest = BenchAccess.matcher(PatternLibrary.fromSpecs(MatcherBenchmark.library(500)), PatternLibrary.Engine.LITERALS);
        String[] unmatched = Arrays.stream(all).filter(l -> largest.match(l).length == 0).toArray(String[]::new);
        System.out.printf("%d lines (%d match no pattern of the 500-pattern library); CPU time of one thread, median of %d rounds%n",
                all.length, unmatched.length, ROUNDS);
        System.out.printf("%-9s %8s %-10s %12s %14s %14s%n", "engine", "patterns", "lines", "ns/line", "lines/s (CPU)", "matches/line");
        for (String engine : engines) {
            for (int n : new int[] {25, 150, 500}) {
                var matcher = BenchAccess.matcher(PatternLibrary.fromSpecs(MatcherBenchmark.library(n)),
                        PatternLibrary.Engine.valueOf(engine));
                for (String[] lines : List.of(all, unmatched)) {
                    // the naive loop at 500 patterns takes ~0.3 ms a line: a slice of the corpus is enough for it
                    String[] slice = engine.equals("NAIVE") ? Arrays.copyOf(lines, Math.min(lines.length, 20_000)) : lines;
                    long matches = 0;
                    for (String l : slice) matches += matcher.match(l).length;
                    long[] ns = new long[ROUNDS];
                    for (int r = 0; r < ROUNDS; r++) {
                        long t0 = cpu.getCurrentThreadCpuTime();
                        for (String l : slice) matches += matcher.match(l).length;
                        ns[r] = cpu.getCurrentThreadCpuTime() - t0;
                    }
                    Arrays.sort(ns);
                    double perLine = ns[ROUNDS / 2] / (double) slice.length;
                    System.out.printf("%-9s %8d %-10s %12.0f %14.0f %14.3f%n", engine, n, lines == all ? "all" : "unmatched",
                            perLine, 1e9 / perLine, matches / (double) slice.length / (ROUNDS + 1));
                }
            }
        }
    }
}
