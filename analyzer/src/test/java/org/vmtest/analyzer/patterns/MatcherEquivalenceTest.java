package org.vmtest.analyzer.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.vmtest.analyzer.bench.ConsoleCorpus;
import org.vmtest.analyzer.bench.MatcherBenchmark;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.jobs.PatternSpec;

/** The prefiltered matchers answer exactly what a loop of java.util.regex answers, line for line. */
class MatcherEquivalenceTest {
    private static final PatternLibrary LIBRARY = PatternLibrary.builtIn();

    @Test
    void literalPrefilterMatchesExactlyWhatTheRegexLoopMatches() throws Exception {
        assertSameMatches(LIBRARY.withEngine(PatternLibrary.Engine.LITERALS), corpus());
    }

    @Test
    void hyperscanPrefilterMatchesExactlyWhatTheRegexLoopMatches() throws Exception {
        PatternLibrary hs = LIBRARY.withEngine(PatternLibrary.Engine.HYPERSCAN);
        assertThat(hs.engineName()).startsWith("hyperscan");
        assertSameMatches(hs, corpus());
    }

    @Test
    void theFiveHundredPatternBenchmarkLibraryMatchesExactlyWhatTheRegexLoopMatches() throws Exception {
        var specs = new ArrayList<>(MatcherBenchmark.library(500));
        // the prefilter's edge cases: anchors under alternation and multi-line mode, Unicode case folding,
        // optional first items, clauses in nested groups
        String[] edges = {"^ok\\s+\\S+", "^ok|systemd", "(?m)^\\[\\s*\\d", "(?iu)kernel panic", "^\\s*started",
                          "^(?:FAIL|ok)\\b", "(?i)(?:mounted|reached) (?:target )?\\w+", "^$", "x*", "^(?=\\[)\\S+"};
        for (int i = 0; i < edges.length; i++) {
            specs.add(new PatternSpec("edge." + i, edges[i], Category.WARNING, null, null, null, null, null));
        }
        PatternLibrary library = PatternLibrary.fromSpecs(specs);
        assertSameMatches(library, library.withEngine(PatternLibrary.Engine.LITERALS), corpus());
        assertSameMatches(library, library.withEngine(PatternLibrary.Engine.HYPERSCAN), corpus());
    }

    @Test
    void everyBuiltInPatternMatchesSomeLineOfTheCorpusUnderEveryEngine() throws Exception {
        // guards the equivalence tests against a corpus that exercises nothing
        var naive = LIBRARY.withEngine(PatternLibrary.Engine.NAIVE).matcher();
        var matchedPatterns = new java.util.BitSet();
        for (String line : corpus()) {
            for (int i : naive.match(LineText.withoutTimestamp(LineText.clean(line)))) matchedPatterns.set(i);
        }
        assertThat(matchedPatterns.cardinality()).isGreaterThan(LIBRARY.size() / 4);
    }

    private static void assertSameMatches(PatternLibrary candidate, List<String> lines) {
        assertSameMatches(LIBRARY, candidate, lines);
    }

    private static void assertSameMatches(PatternLibrary library, PatternLibrary candidate, List<String> lines) {
        LineMatcher reference = library.withEngine(PatternLibrary.Engine.NAIVE).matcher();
        LineMatcher fast = candidate.matcher();
        int withMatches = 0;
        for (String raw : lines) {
            String text = LineText.withoutTimestamp(LineText.clean(raw));
            int[] expected = reference.match(text);
            assertThat(fast.match(text)).as("%s on line: %s", fast.engine(), text).containsExactly(expected);
            if (expected.length > 0) withMatches++;
        }
        assertThat(withMatches).isGreaterThan(lines.size() / 20);
    }

    /** Sample lines, generated console lines, and mutations of both that land near the patterns' edges. */
    static List<String> corpus() throws Exception {
        var lines = new ArrayList<String>();
        Path samples = Path.of(MatcherEquivalenceTest.class.getClassLoader().getResource("samples").toURI());
        try (Stream<Path> files = Files.walk(samples)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) lines.addAll(Files.readAllLines(f));
        }
        lines.addAll(List.of(new ConsoleCorpus().generate(42, 20_000, 0.05)));
        var random = new SplittableRandom(7);
        var base = List.copyOf(lines);
        String[] noise = {"é", "‘", "’", "\u00a0", "𝔘", "ß", "K", " ", "", "0x", "[", "]", "(", ")", ":", "'", "\"", "=",
                          "\t", "…", "İ", "ſ", "\u212a"};
        for (int i = 0; i < 40_000; i++) {
            String a = base.get(random.nextInt(base.size()));
            String b = base.get(random.nextInt(base.size()));
            String m = switch (random.nextInt(6)) {
                case 0 -> a.substring(random.nextInt(a.length() + 1));
                case 1 -> a.substring(0, random.nextInt(a.length() + 1)) + b.substring(random.nextInt(b.length() + 1));
                case 2 -> flipCase(a, random);
                case 3 -> insert(a, noise[random.nextInt(noise.length)], random);
                case 4 -> a.replace(' ', random.nextBoolean() ? '\t' : ' ').replace("0", "é");
                default -> insert(insert(a, noise[random.nextInt(noise.length)], random), noise[random.nextInt(noise.length)], random);
            };
            lines.add(m);
        }
        return lines;
    }

    private static String flipCase(String s, SplittableRandom random) {
        var b = new StringBuilder(s);
        for (int i = 0; i < b.length(); i++) {
            if (random.nextInt(8) == 0) {
                char c = b.charAt(i);
                b.setCharAt(i, Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
            }
        }
        return b.toString();
    }

    private static String insert(String s, String what, SplittableRandom random) {
        int at = random.nextInt(s.length() + 1);
        return s.substring(0, at) + what + s.substring(at);
    }
}
