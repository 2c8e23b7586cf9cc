package org.vmtest.analyzer.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmtest.protocol.Action;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.jobs.PatternSpec;

class PatternLoadingTest {
    private static final String GOOD = """
            patterns:
              - id: demo.ok
                regex: 'all good (?<n>\\d+)'
                category: success
                title: 'good ${n}'
            """;

    @Test
    void builtInLibraryIsBroadAndCoversEveryCategory() {
        PatternLibrary lib = PatternLibrary.builtIn();
        assertThat(lib.size()).isGreaterThanOrEqualTo(150);
        assertThat(lib.sizeByCategory()).allSatisfy((category, n) -> assertThat(n).as(category.name()).isPositive());
        assertThat(lib.pattern("kernel.panic")).get().extracting(PatternSpec::action).isEqualTo(Action.ABORT);
        assertThat(lib.report("kernel.panic")).get().extracting(ReportSpec::end).isNotNull();
    }

    @Test
    void aValidFileLoadsWithDefaultsFromTheCategory() throws Exception {
        PatternLibrary lib = PatternLibrary.fromYaml("demo.yaml", GOOD);
        assertThat(lib.patterns()).singleElement().satisfies(p -> {
            assertThat(p.category()).isEqualTo(Category.SUCCESS);
            assertThat(p.action()).isEqualTo(Action.NOTE);
        });
    }

    @Test
    void unknownKeyIsNamedWithItsFileAndLine() {
        String yaml = GOOD + "    colour: red\n";
        assertThatThrownBy(() -> PatternLibrary.fromYaml("demo.yaml", yaml))
                .isInstanceOf(PatternLoadException.class)
                .hasMessageStartingWith("demo.yaml:6: pattern demo.ok: unknown key 'colour'");
    }

    @Test
    void regexThatDoesNotCompileIsNamedWithItsLine() {
        String yaml = """
                patterns:
                  - id: a.first
                    regex: 'fine'
                    category: progress
                  - id: a.broken
                    category: error
                    regex: 'unclosed (group'
                """;
        assertThatThrownBy(() -> PatternLibrary.fromYaml("x.yaml", yaml))
                .hasMessageStartingWith("x.yaml:7: pattern a.broken: regex does not compile: Unclosed group");
    }

    @Test
    void titleGroupThatTheRegexLacksIsRefused() {
        String yaml = """
                patterns:
                  - id: a.title
                    regex: 'disk (?<dev>\\w+) failed'
                    category: error
                    title: 'disk ${device} failed'
                """;
        assertThatThrownBy(() -> PatternLibrary.fromYaml("t.yaml", yaml))
                .hasMessageContaining("t.yaml:5:")
                .hasMessageContaining("uses ${device} but the regex has no group named 'device' (it has groups dev)");
    }

    @Test
    void unknownCategoryListsTheValidOnes() {
        String yaml = GOOD.replace("success", "fatal");
        assertThatThrownBy(() -> PatternLibrary.fromYaml("c.yaml", yaml))
                .hasMessageStartingWith("c.yaml:4: pattern demo.ok: unknown category 'fatal' (one of: critical, error,");
    }

    @Test
    void unknownBootMarkerAndABootMarkerWithAReportAreRefused() {
        String unknown = """
                patterns:
                  - id: b.banner
                    regex: '^Linux version '
                    category: critical
                    boot: kernel-begin
                """;
        assertThatThrownBy(() -> PatternLibrary.fromYaml("b.yaml", unknown))
                .hasMessageStartingWith("b.yaml:5: pattern b.banner: unknown boot 'kernel-begin' (one of: kernel-start, kernel-stop)");
        String withReport = """
                patterns:
                  - id: b.banner
                    regex: '^Linux version '
                    category: critical
                    boot: kernel-start
                    report:
                      maxLines: 5
                """;
        assertThatThrownBy(() -> PatternLibrary.fromYaml("r.yaml", withReport))
                .hasMessageStartingWith("r.yaml:5: pattern b.banner: a boot marker is a single line and cannot have a report");
    }

    @Test
    void refineTitleMayUseTheGroupsOfRulesListedAfterItButNotBefore() throws Exception {
        String later = """
                patterns:
                  - id: k.kasan
                    regex: 'BUG: KASAN: (?<kind>[a-z-]+) in '
                    category: critical
                    report:
                      refine:
                        - regex: '^ (?<func>\\w+)\\+0x'
                          title: 'KASAN: ${kind} ${access} in ${func}'
                        - regex: '^(?<access>Read|Write) of size'
                          title: 'KASAN: ${kind} ${access}'
                """;
        assertThat(PatternLibrary.fromYaml("l.yaml", later).pattern("k.kasan")).isPresent();
        String earlier = later.replace("title: 'KASAN: ${kind} ${access} in ${func}'", "title: 'KASAN: ${kind} in ${func}'")
                .replace("title: 'KASAN: ${kind} ${access}'", "title: 'KASAN: ${kind} ${access} ${func}'");
        assertThatThrownBy(() -> PatternLibrary.fromYaml("e.yaml", earlier))
                .hasMessageContaining("uses ${func} but the regex has no group named 'func'");
    }

    @Test
    void metricWithoutItsGroupIsRefused() {
        String yaml = """
                patterns:
                  - id: m.boot
                    regex: 'boot took (?<secs>[\\d.]+)s'
                    category: metric
                    metric: {name: boot, unit: s, group: seconds}
                """;
        assertThatThrownBy(() -> PatternLibrary.fromYaml("m.yaml", yaml))
                .hasMessageStartingWith("m.yaml:5: pattern m.boot: metric.group 'seconds' is not a named group");
    }

    @Test
    void duplicateIdAcrossDirectoriesNamesBothPlaces(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), GOOD);
        Files.writeString(dir.resolve("b.yaml"), "description: again\n" + GOOD);
        assertThatThrownBy(() -> PatternLibrary.load(List.of(dir)))
                .hasMessage(dir.resolve("b.yaml") + ":3: pattern id 'demo.ok' is already defined at "
                        + dir.resolve("a.yaml") + ":2");
    }

    @Test
    void patternDirectoriesAddToTheBuiltInLibrary(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("extra.yml"), GOOD);
        PatternLibrary lib = PatternLibrary.load(List.of(dir));
        assertThat(lib.size()).isEqualTo(PatternLibrary.builtIn().size() + 1);
        assertThat(lib.pattern("demo.ok")).isPresent();
    }

    @Test
    void invalidYamlNamesItsLine() {
        assertThatThrownBy(() -> PatternLibrary.fromYaml("y.yaml", "patterns:\n  - id: [unclosed\n"))
                .hasMessageStartingWith("y.yaml:").hasMessageContaining("not valid YAML");
    }

    @Test
    void aCatastrophicBacktrackingPatternIsRefusedWithItsLine() {
        // which regexes are refused is RegexSafetyTest's; here, that the loader asks and names the place
        String yaml = "patterns:\n  - id: bad.one\n    category: error\n    regex: '(a+)+b'\n";
        assertThatThrownBy(() -> PatternLibrary.fromYaml("bad.yaml", yaml))
                .isInstanceOf(PatternLoadException.class)
                .hasMessageStartingWith("bad.yaml:4: pattern bad.one: regex refused: ");
    }

    @Test
    void profileExtraPatternsAreValidatedAndCachedByContent() {
        var extra = List.of(new PatternSpec("profile.banner", "MOTD: (?<msg>.+)", Category.PROGRESS, null,
                "motd ${msg}", null, null, null));
        PatternLibrary base = PatternLibrary.builtIn();
        PatternLibrary withExtra = base.plus(extra);
        assertThat(withExtra.size()).isEqualTo(base.size() + 1);
        assertThat(base.plus(List.copyOf(extra))).isSameAs(withExtra);
        var broken = List.of(new PatternSpec("profile.bad", "(x+)+", Category.ERROR, null, null, null, null, null));
        assertThatThrownBy(() -> base.plus(broken)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("profile.bad").hasMessageContaining("nested quantifiers");
    }

    @Test
    void everyRequiredClauseIsExtractedForThePrefilter() {
        assertThat(RegexAnalysis.requiredClauses("Kernel panic - not syncing: (?<r>.+)"))
                .containsExactly(Set.of("kernel panic - not syncing: "));
        assertThat(RegexAnalysis.requiredClauses("(?:\\[FAILED\\] |systemd\\[1\\]: )Failed to start (?<u>.+)"))
                .containsExactly(Set.of("failed to start "), Set.of("[failed] ", "systemd[1]: "));
        assertThat(RegexAnalysis.requiredClauses("(?:foo|barbaz)\\d+")).containsExactly(Set.of("foo", "barbaz"));
        assertThat(RegexAnalysis.requiredClauses("(?:fo|barbaz)\\d+")).isEmpty();
        assertThat(RegexAnalysis.requiredClauses("ab?cde")).containsExactly(Set.of("cde"));
        assertThat(RegexAnalysis.requiredClauses("\\d+% (?:complete|done)")).as("a short rare literal beside a long one")
                .containsExactly(Set.of("complete", "done"), Set.of("% "));
        assertThat(RegexAnalysis.requiredClauses("\\d+% \\d+")).as("never a short literal alone").isEmpty();
        assertThat(RegexAnalysis.requiredClauses("usb (?:\\d+-)+\\d+: device descriptor read/(?:64|all), error (-\\d+)"))
                .containsExactly(Set.of(": device descriptor read/"), Set.of(", error "), Set.of("usb "));
        // Unicode case folding lets a non-ASCII character match an ASCII literal: no ASCII prefilter then
        assertThat(RegexAnalysis.requiredClauses("(?iu)kernel panic")).isEmpty();
    }

    @Test
    void eachBranchOfATopLevelAlternationHasItsOwnRequirements() {
        assertThat(RegexAnalysis.requirements("Welcome to emergency mode!|Reached target (?:emergency\\.target - )?Emergency Mode"))
                .containsExactly(List.of(Set.of("welcome to emergency mode!")),
                        List.of(Set.of("reached target "), Set.of("emergency mode")));
        assertThat(RegexAnalysis.requirements("(?:Oops: |BUG: )(?<what>.+)")).as("an alternation inside a sequence")
                .containsExactly(List.of(Set.of("oops: ", "bug: ")));
        assertThat(RegexAnalysis.requirements("^(?:You are in rescue mode|Reached target (?:rescue\\.target - )?Rescue Mode)"))
                .containsExactly(List.of(Set.of("you are in rescue mode")),
                        List.of(Set.of("reached target "), Set.of("rescue mode")));
        assertThat(RegexAnalysis.requirements("panic|ok")).as("a branch with nothing useful: always checked").isEmpty();
        assertThat(RegexAnalysis.requirements("Kernel panic - not syncing: (?<r>.+)"))
                .containsExactly(List.of(Set.of("kernel panic - not syncing: ")));
    }

    @Test
    void aStartAnchoredPatternIsGatedByItsFirstCharacter() {
        boolean[] first = RegexAnalysis.anchoredFirstChars("^ok\\s+(?<pkg>\\S+)");
        assertThat(first).isNotNull();
        assertThat(first['o']).isTrue();
        assertThat(first['O']).isTrue();
        assertThat(first['F']).isFalse();
        assertThat(RegexAnalysis.anchoredFirstChars("^(?:ok|FAIL)\\s")['F']).isTrue();
        assertThat(RegexAnalysis.startAnchored("^ok|FAIL")).as("top-level alternation").isFalse();
        assertThat(RegexAnalysis.startAnchored("(?m)^ok")).as("multi-line mode").isFalse();
        assertThat(RegexAnalysis.startAnchored("ok$")).isFalse();
        assertThat(RegexAnalysis.anchoredFirstChars("^\\s*ok")).as("optional first item: any start").isNull();
    }
}
