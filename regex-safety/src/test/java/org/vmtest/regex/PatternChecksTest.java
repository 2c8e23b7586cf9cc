package org.vmtest.regex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.jobs.PatternSpec;
import org.vmtest.protocol.jobs.PatternSpec.MetricSpec;

class PatternChecksTest {
    private static PatternSpec spec(String id, String regex, Category category, String title, MetricSpec metric) {
        return new PatternSpec(id, regex, category, null, title, null, null, metric);
    }

    @Test
    void aSoundPatternHasNoProblem() {
        assertThat(PatternChecks.check(spec("p.ok", "MOTD: (?<msg>.+)", Category.PROGRESS, "motd ${msg}", null)))
                .isEmpty();
    }

    @Test
    void anIdWithCapitalsIsRefusedUnderItsKey() {
        assertThat(PatternChecks.check(spec("Bad", "x", Category.ERROR, null, null)))
                .hasValueSatisfying(p -> assertThat(p.key()).isEqualTo("id"));
    }

    @Test
    void aTitlePlaceholderWithoutItsGroupIsRefused() {
        assertThat(PatternChecks.check(spec("p.t", "oops: (?<what>.+)", Category.ERROR, "oops ${func}", null)))
                .hasValueSatisfying(p -> assertThat(p.message())
                        .isEqualTo("title uses ${func} but the regex has no group named 'func' (it has groups what)"));
    }

    @Test
    void aMetricMustReadANamedGroupOfItsRegex() {
        var metric = new MetricSpec("boot", "s", "seconds");
        assertThat(PatternChecks.check(spec("m.boot", "boot took (?<secs>[\\d.]+)s", Category.METRIC, null, metric)))
                .hasValueSatisfying(p -> assertThat(p.message())
                        .isEqualTo("metric.group 'seconds' is not a named group of the regex (it has groups secs)"));
    }

    @Test
    void aListNamesItsFirstBadPatternOrAnIdUsedTwice() {
        var ok = spec("p.ok", "ok", Category.PROGRESS, null, null);
        var bad = spec("p.bad", "(x+)+", Category.ERROR, null, null);
        assertThat(PatternChecks.problemOfAll(List.of(ok, bad))).hasValueSatisfying(p ->
                assertThat(p).startsWith("pattern p.bad: regex refused: nested quantifiers"));
        assertThat(PatternChecks.problemOfAll(List.of(ok, ok))).contains("pattern id p.ok appears twice");
        assertThat(PatternChecks.problemOfAll(List.of(ok))).isEmpty();
    }
}
