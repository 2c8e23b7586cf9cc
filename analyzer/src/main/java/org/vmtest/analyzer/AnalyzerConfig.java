package org.vmtest.analyzer;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.vmtest.protocol.kafka.KafkaSettings;

/**
 * The analyzer's configuration, as written in its YAML file (see deploy/analyzer.yaml).
 *
 * <pre>
 * kafka:
 *   bootstrapServers: 127.0.0.1:9092
 *   topicPrefix: vmtest
 * patternDirs: [/etc/vmtest/patterns]
 * reportGrace: 2s          # wait this long for a kernel report's end marker before aborting (max 2s)
 * defaultStallLimit: 120s  # a phase silent this long is a finding, unless the profile says otherwise
 * stallCheckInterval: 1s
 * reportCheckInterval: 200ms
 * forgetSilentJobsAfter: 24h   # drop the state of a job that sent nothing this long (its worker is gone)
 * maxFindingsPerJob: 200
 * threads: 1
 * metricsAddress: 0.0.0.0:9465   # GET /metrics (Prometheus), GET /health; empty: none
 * </pre>
 */
public final class AnalyzerConfig {
    /** The longest a report may hold back an abort: evidence is worth 2 s, not more. */
    public static final Duration MAX_REPORT_GRACE = Duration.ofSeconds(2);

    @JsonProperty
    private KafkaSettings kafka = new KafkaSettings();
    @JsonProperty
    private List<Path> patternDirs = new ArrayList<>();
    @JsonProperty
    private Duration reportGrace = MAX_REPORT_GRACE;
    @JsonProperty
    private Duration defaultStallLimit = Duration.ofSeconds(120);
    @JsonProperty
    private Duration stallCheckInterval = Duration.ofSeconds(1);
    @JsonProperty
    private Duration reportCheckInterval = Duration.ofMillis(200);
    @JsonProperty
    private Duration forgetSilentJobsAfter = Duration.ofHours(24);
    @JsonProperty
    private int maxFindingsPerJob = 200;
    @JsonProperty
    private int threads = 1;
    /** Where Kafka Streams keeps its local state; empty for the JVM's temporary directory. */
    @JsonProperty
    private String stateDir = "";
    /** {@code host:port} of the Prometheus metrics and health endpoint; empty for none, port 0 for any free one. */
    @JsonProperty
    private String metricsAddress = "";

    public AnalyzerConfig() {
    }

    public static AnalyzerConfig of(KafkaSettings kafka) {
        AnalyzerConfig c = new AnalyzerConfig();
        c.kafka = Objects.requireNonNull(kafka, "kafka");
        return c;
    }

    /** Checks every option; the message names the option and what is wrong with it. */
    public AnalyzerConfig validated() {
        Objects.requireNonNull(kafka, "kafka: missing");
        requirePositive("reportGrace", reportGrace);
        if (reportGrace.compareTo(MAX_REPORT_GRACE) > 0) {
            throw new IllegalArgumentException("reportGrace: at most " + MAX_REPORT_GRACE.toSeconds()
                    + "s (an abort must not wait longer for a report's end), got " + reportGrace);
        }
        requirePositive("defaultStallLimit", defaultStallLimit);
        requirePositive("stallCheckInterval", stallCheckInterval);
        requirePositive("reportCheckInterval", reportCheckInterval);
        requirePositive("forgetSilentJobsAfter", forgetSilentJobsAfter);
        if (forgetSilentJobsAfter.compareTo(defaultStallLimit) <= 0) {
            throw new IllegalArgumentException("forgetSilentJobsAfter (" + forgetSilentJobsAfter
                    + ") must be longer than defaultStallLimit (" + defaultStallLimit + ")");
        }
        if (maxFindingsPerJob < 1) throw new IllegalArgumentException("maxFindingsPerJob: at least 1, got " + maxFindingsPerJob);
        if (threads < 1) throw new IllegalArgumentException("threads: at least 1, got " + threads);
        if (patternDirs == null) patternDirs = new ArrayList<>();
        return this;
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": must be a positive duration, got " + d);
        }
    }

    public KafkaSettings kafka() {
        return kafka;
    }

    public List<Path> patternDirs() {
        return List.copyOf(patternDirs);
    }

    public Duration reportGrace() {
        return reportGrace;
    }

    public Duration defaultStallLimit() {
        return defaultStallLimit;
    }

    public Duration stallCheckInterval() {
        return stallCheckInterval;
    }

    public Duration reportCheckInterval() {
        return reportCheckInterval;
    }

    public Duration forgetSilentJobsAfter() {
        return forgetSilentJobsAfter;
    }

    public AnalyzerConfig withForgetSilentJobsAfter(Duration d) {
        forgetSilentJobsAfter = d;
        return this;
    }

    public int maxFindingsPerJob() {
        return maxFindingsPerJob;
    }

    public int threads() {
        return threads;
    }

    public String stateDir() {
        return stateDir;
    }

    public String metricsAddress() {
        return metricsAddress == null ? "" : metricsAddress;
    }

    public AnalyzerConfig withMetricsAddress(String address) {
        metricsAddress = address;
        return this;
    }

    public AnalyzerConfig withPatternDirs(List<Path> dirs) {
        patternDirs = new ArrayList<>(dirs);
        return this;
    }

    public AnalyzerConfig withReportGrace(Duration grace) {
        reportGrace = grace;
        return this;
    }

    public AnalyzerConfig withDefaultStallLimit(Duration limit) {
        defaultStallLimit = limit;
        return this;
    }

    public AnalyzerConfig withStallCheckInterval(Duration interval) {
        stallCheckInterval = interval;
        return this;
    }

    public AnalyzerConfig withThreads(int n) {
        threads = n;
        return this;
    }

    public AnalyzerConfig withStateDir(String dir) {
        stateDir = dir;
        return this;
    }

    public AnalyzerConfig withMaxFindingsPerJob(int n) {
        maxFindingsPerJob = n;
        return this;
    }
}
