package org.vmtest.analyzer.subtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vmtest.protocol.verdicts.SubtestResult;

class TapResultsTest {
    private static List<SubtestResult> parse(String output) {
        TapResults tap = new TapResults();
        output.lines().forEach(tap::line);
        return tap.finish();
    }

    @Test
    void testPointsDirectivesAndYamlMessagesBecomeSubtests() {
        List<SubtestResult> r = parse("""
                TAP version 13
                1..5
                ok 1 - mount the root
                not ok 2 - disk full
                  ---
                  message: 'no space left on /var'
                  severity: fail
                  ...
                ok 3 - network # SKIP no network in the guest
                not ok 4 - known bug # TODO fix later
                ok 5
                """);

        assertThat(r).containsExactly(
                new SubtestResult("mount the root", true, false, ""),
                new SubtestResult("disk full", false, false, "no space left on /var"),
                new SubtestResult("network", true, true, "no network in the guest"),
                new SubtestResult("known bug", true, false, "fix later"),
                new SubtestResult("#5", true, false, ""));
    }

    @Test
    void outputWithoutTheVersionLineIsNotTap() {
        assertThat(parse("ok 1 - looks like tap\nnot ok 2 - but is not\n")).isEmpty();
    }

    @Test
    void promisedTestsThatNeverRanAndBailOutAreFailures() {
        List<SubtestResult> r = parse("TAP version 13\n1..3\nok 1 - first\nBail out! database gone\n");

        assertThat(r).extracting(SubtestResult::name).containsExactly("first", "bail out", "plan");
        assertThat(r.get(1).message()).isEqualTo("database gone");
        assertThat(r.get(2).message()).isEqualTo("planned 3 tests, 1 ran");
        assertThat(r.get(2).passed()).isFalse();
    }

    @Test
    void finishStartsOverForTheNextTest() {
        TapResults tap = new TapResults();
        List.of("TAP version 13", "not ok 1 - a").forEach(tap::line);
        assertThat(tap.finish()).hasSize(1);

        tap.line("ok 1 - not tap any more");

        assertThat(tap.finish()).isEmpty();
    }

    @Test
    void aFloodKeepsEveryFailureAndCountsWhatItDropped() {
        TapResults tap = new TapResults();
        tap.line("TAP version 13");
        for (int i = 1; i <= TapResults.MAX_SUBTESTS + 500; i++) tap.line("ok " + i + " - case " + i);
        tap.line("not ok 99999 - the one that matters");

        List<SubtestResult> r = tap.finish();

        assertThat(r).hasSize(TapResults.MAX_SUBTESTS + 1);
        assertThat(r).filteredOn(x -> !x.passed()).extracting(SubtestResult::name).containsExactly("the one that matters");
        assertThat(r.get(r.size() - 1).message()).isEqualTo("501 more results not kept");
    }
}
