package org.vmtest.analyzer.patterns;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.jobs.PatternSpec;
import org.vmtest.regex.PatternChecks;

/**
 * A loaded, validated pattern library: the built-in files shipped in the jar ({@code patterns/*.yaml}) plus any
 * directories of pattern files. Immutable and thread-safe; the matcher is compiled once, on first use.
 */
public final class PatternLibrary {
    /** The built-in pattern files, in load order. */
    static final List<String> BUILT_IN_FILES = List.of(
            "kernel-sanitizers.yaml", "kernel.yaml", "boot.yaml", "filesystems.yaml", "systemd.yaml", "nix.yaml",
            "tests.yaml", "progress.yaml", "metrics.yaml");
    private static volatile PatternLibrary builtIn;
    private static final Map<List<PatternSpec>, PatternLibrary> PLUS_CACHE = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<List<PatternSpec>, PatternLibrary> eldest) {
                    return size() > 64;
                }
            });

    private final List<CompiledPattern> compiled;
    private final List<PatternSpec> specs;
    private final Map<String, CompiledPattern> byId;
    private final Engine engine;
    private volatile LineMatcher matcher;

    /** Which prefilter the matcher uses. */
    public enum Engine {
        /** The fastest measured: {@link #LITERALS}. */
        AUTO,
        /** Hyperscan database in prefilter mode, confirmed by java.util.regex. */
        HYPERSCAN,
        /** Required literals of each regex in one Aho-Corasick automaton, confirmed by java.util.regex. */
        LITERALS,
        /** Every regex on every line: the reference. */
        NAIVE
    }

    private PatternLibrary(List<PatternFiles.Entry> entries, Engine engine) {
        var list = new ArrayList<CompiledPattern>(entries.size());
        var ids = new HashMap<String, CompiledPattern>();
        for (var e : entries) {
            var cp = new CompiledPattern(list.size(), e.spec(), e.report(), e.boot());
            list.add(cp);
            ids.put(e.spec().id(), cp);
        }
        this.compiled = List.copyOf(list);
        this.specs = list.stream().map(c -> c.spec).toList();
        this.byId = Map.copyOf(ids);
        this.engine = engine;
    }

    /** Lines, in this JVM so far, on which some pattern ran out of its time budget (and was taken as not matching). */
    public static long regexBudgetExhausted() {
        return PrefilterMatcher.EXHAUSTED.sum();
    }

    /** The library shipped with the analyzer. */
    public static PatternLibrary builtIn() {
        PatternLibrary lib = builtIn;
        if (lib == null) {
            synchronized (PatternLibrary.class) {
                lib = builtIn;
                if (lib == null) {
                    try {
                        lib = new PatternLibrary(dedupe(builtInEntries()), Engine.AUTO);
                    } catch (PatternLoadException e) {
                        throw new IllegalStateException("the built-in pattern library is broken: " + e.getMessage(), e);
                    }
                    builtIn = lib;
                }
            }
        }
        return lib;
    }

    /**
     * The built-in library plus every {@code *.yaml}/{@code *.yml} file of each directory (sorted by name). A pattern
     * with the id of an earlier one is an error: ids name findings across runs and must mean one thing.
     */
    public static PatternLibrary load(List<Path> extraDirs) throws PatternLoadException {
        var entries = builtInEntries();
        for (Path dir : extraDirs) entries.addAll(readDirectory(dir));
        return new PatternLibrary(dedupe(entries), Engine.AUTO);
    }

    /** Only the given files, without the built-in library: to try a pattern file on its own. */
    public static PatternLibrary loadFiles(List<Path> files) throws PatternLoadException {
        var entries = new ArrayList<PatternFiles.Entry>();
        for (Path f : files) entries.addAll(readFile(f));
        return new PatternLibrary(dedupe(entries), Engine.AUTO);
    }

    /** Parses one pattern file's text; {@code name} names it in errors. Without the built-in library. */
    public static PatternLibrary fromYaml(String name, String yaml) throws PatternLoadException {
        return new PatternLibrary(dedupe(PatternFiles.parse(name, yaml)), Engine.AUTO);
    }

    /**
     * A library of exactly these patterns (single-line: specs carry no report framing).
     *
     * @throws IllegalArgumentException naming the pattern and what is wrong with it
     */
    public static PatternLibrary fromSpecs(List<PatternSpec> specs) {
        return new PatternLibrary(entriesOf(specs), Engine.AUTO);
    }

    /**
     * This library with a profile's extra patterns. An extra pattern with the id of a library pattern replaces it
     * (a profile may tighten or relax a built-in pattern). Compiled results are cached by content, so every job
     * of the same profile shares one matcher.
     *
     * @throws IllegalArgumentException naming the pattern and what is wrong with it
     */
    public PatternLibrary plus(List<PatternSpec> extra) {
        if (extra == null || extra.isEmpty()) return this;
        var key = new ArrayList<PatternSpec>(specs.size() + extra.size());
        key.addAll(specs);
        key.addAll(extra);
        List<PatternSpec> cacheKey = List.copyOf(key);
        PatternLibrary cached = PLUS_CACHE.get(cacheKey);
        if (cached != null && cached.engine == engine) return cached;
        var entries = new ArrayList<PatternFiles.Entry>();
        var replaced = new HashMap<String, PatternSpec>();
        for (PatternSpec s : extra) replaced.put(s.id(), s);
        for (CompiledPattern c : compiled) {
            if (!replaced.containsKey(c.spec.id())) entries.add(new PatternFiles.Entry(c.spec, c.report, c.boot, "library", 0));
        }
        entries.addAll(entriesOf(extra));
        var lib = new PatternLibrary(entries, engine);
        PLUS_CACHE.put(cacheKey, lib);
        return lib;
    }

    /** The same patterns matched by another engine (benchmarks and differential tests compare them). */
    public PatternLibrary withEngine(Engine other) {
        var entries = new ArrayList<PatternFiles.Entry>();
        for (CompiledPattern c : compiled) entries.add(new PatternFiles.Entry(c.spec, c.report, c.boot, "library", 0));
        return new PatternLibrary(entries, other);
    }

    public List<PatternSpec> patterns() {
        return specs;
    }

    public Optional<PatternSpec> pattern(String id) {
        return Optional.ofNullable(byId.get(id)).map(c -> c.spec);
    }

    /** The report framing of a multi-line pattern; empty for single-line patterns. */
    public Optional<ReportSpec> report(String patternId) {
        return Optional.ofNullable(byId.get(patternId)).map(c -> c.report);
    }

    public Map<Category, Integer> sizeByCategory() {
        var sizes = new EnumMap<Category, Integer>(Category.class);
        for (Category c : Category.values()) sizes.put(c, 0);
        for (PatternSpec s : specs) sizes.merge(s.category(), 1, Integer::sum);
        return sizes;
    }

    public int size() {
        return specs.size();
    }

    /** The engine actually matching lines, e.g. "hyperscan prefilter + java.util.regex". */
    public String engineName() {
        return matcher().engine();
    }

    List<CompiledPattern> compiled() {
        return compiled;
    }

    LineMatcher matcher() {
        LineMatcher m = matcher;
        if (m == null) {
            synchronized (this) {
                m = matcher;
                if (m == null) {
                    m = Matchers.build(compiled, engine);
                    matcher = m;
                }
            }
        }
        return m;
    }

    private static List<PatternFiles.Entry> entriesOf(List<PatternSpec> specs) {
        PatternChecks.problemOfAll(specs).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        var entries = new ArrayList<PatternFiles.Entry>();
        for (PatternSpec s : specs) entries.add(new PatternFiles.Entry(s, null, null, "spec", 0));
        return entries;
    }

    private static List<PatternFiles.Entry> dedupe(List<PatternFiles.Entry> entries) throws PatternLoadException {
        var seen = new HashMap<String, PatternFiles.Entry>();
        for (var e : entries) {
            var earlier = seen.putIfAbsent(e.spec().id(), e);
            if (earlier != null) {
                throw new PatternLoadException(e.source(), e.line(), "pattern id '" + e.spec().id()
                        + "' is already defined at " + earlier.source() + ":" + earlier.line());
            }
        }
        return entries;
    }

    private static List<PatternFiles.Entry> builtInEntries() throws PatternLoadException {
        var entries = new ArrayList<PatternFiles.Entry>();
        for (String file : BUILT_IN_FILES) {
            String resource = "patterns/" + file;
            try (InputStream in = PatternLibrary.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) throw new IllegalStateException("built-in pattern file missing from the jar: " + resource);
                entries.addAll(PatternFiles.parse("builtin:" + resource, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return entries;
    }

    private static List<PatternFiles.Entry> readDirectory(Path dir) throws PatternLoadException {
        if (!Files.isDirectory(dir)) throw new PatternLoadException(dir.toString(), 0, "not a directory of pattern files");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new PatternLoadException(dir.toString(), 0, "cannot list: " + e.getMessage());
        }
        var entries = new ArrayList<PatternFiles.Entry>();
        for (Path f : files) entries.addAll(readFile(f));
        return entries;
    }

    private static List<PatternFiles.Entry> readFile(Path f) throws PatternLoadException {
        try {
            return PatternFiles.parse(f.toString(), Files.readString(f));
        } catch (IOException e) {
            throw new PatternLoadException(f.toString(), 0, "cannot read: " + e.getMessage());
        }
    }
}
