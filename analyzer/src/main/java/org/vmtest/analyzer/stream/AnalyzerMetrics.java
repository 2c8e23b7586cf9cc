package org.vmtest.analyzer.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.vmtest.analyzer.patterns.PatternLibrary;
import org.vmtest.protocol.Category;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.control.AbortJob;
import org.vmtest.protocol.control.ControlCommand;
import org.vmtest.protocol.verdicts.Finding;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.VerdictEvent;

/**
 * What an operator watches on an analyzer: how many lines it reads and how late it sees them (the guest printed a
 * line → this analyzer handled it: the first leg of every abort), what it found and decided, and what it had to
 * park. Counters count records as processed: after a failover a task's uncommitted records are counted again.
 */
public final class AnalyzerMetrics {
    static final int DELAY_SAMPLE_EVERY = 16;

    private final Counter lines;
    private final ThreadLocal<int[]> sampleTick = ThreadLocal.withInitial(() -> new int[1]);
    private final Counter deadLetters;
    private final Counter aborts;
    private final Timer lineDelay;
    private final Map<Category, Counter> findings = new EnumMap<>(Category.class);
    private final Map<Verdict, Counter> verdicts = new EnumMap<>(Verdict.class);

    public AnalyzerMetrics(MeterRegistry registry) {
        lines = Counter.builder("vmtest_analyzer_lines").description("console and SSH lines analyzed")
                .register(registry);
        deadLetters = Counter.builder("vmtest_analyzer_dead_letters")
                .description("records that could not be decoded or analyzed, sent to the dead-letter topic")
                .register(registry);
        aborts = Counter.builder("vmtest_analyzer_aborts").description("AbortJob commands sent").register(registry);
        lineDelay = Timer.builder("vmtest_analyzer_line_delay")
                .description("from the worker reading a line to this analyzer handling it (one line in 16 sampled)")
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
        for (Category c : Category.values()) {
            findings.put(c, Counter.builder("vmtest_analyzer_findings").tag("category", c.name().toLowerCase())
                    .description("findings published, by category").register(registry));
        }
        for (Verdict v : Verdict.values()) {
            verdicts.put(v, Counter.builder("vmtest_analyzer_verdicts").tag("verdict", v.name())
                    .description("job verdicts published").register(registry));
        }
        FunctionCounter.builder("vmtest_analyzer_regex_budget_exhausted", PatternLibrary.class,
                        c -> PatternLibrary.regexBudgetExhausted())
                .description("lines on which a pattern ran out of its time budget and was taken as not matching")
                .register(registry);
    }

    /** Metrics that go nowhere: for tests and tools that run the topology without an operator. */
    public static AnalyzerMetrics none() {
        return new AnalyzerMetrics(new CompositeMeterRegistry());
    }

    /**
     * Counts a line, and records its delay for one line in {@value #DELAY_SAMPLE_EVERY}: a percentile timer per
     * line cost the stream thread 3 % (docs/BENCHMARKS.md), a sample keeps the percentiles. Called from the stream
     * threads, so the sampling tick is per thread.
     */
    void line(long delayMillis) {
        lines.increment();
        int[] tick = sampleTick.get();
        if (delayMillis >= 0 && tick[0]++ % DELAY_SAMPLE_EVERY == 0) lineDelay.record(Duration.ofMillis(delayMillis));
    }

    void deadLetter() {
        deadLetters.increment();
    }

    void published(VerdictEvent event) {
        if (event instanceof Finding f) {
            findings.get(f.category()).increment();
        } else if (event instanceof JobVerdict v) {
            verdicts.get(v.verdict()).increment();
        }
    }

    void published(ControlCommand command) {
        if (command instanceof AbortJob) aborts.increment();
    }
}
