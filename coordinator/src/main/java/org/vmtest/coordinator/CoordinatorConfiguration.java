package org.vmtest.coordinator;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.DataSizeUnit;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.vmtest.coordinator.auth.AuthFactory;
import org.vmtest.protocol.kafka.KafkaSettings;

/** The coordinator's YAML configuration; every option is described in {@code deploy/config/coordinator.yml}. */
public class CoordinatorConfiguration extends Configuration {
    @Valid
    @NotNull
    @JsonProperty
    private KafkaSettings kafka = new KafkaSettings();

    @NotNull
    @JsonProperty
    private Path profilesDir = Path.of("deploy/profiles");

    @NotNull
    @JsonProperty
    private Path archiveDir = Path.of("vmtest-out/archive");

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MINUTES)
    @JsonProperty
    private Duration archiveRetention = Duration.days(14);

    /** A finished run is removed from vmtest.runs (a tombstone) once it ended this long ago. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MINUTES)
    @JsonProperty
    private Duration runRetention = Duration.days(30);

    /** How often the run-state stream looks for runs past {@link #runRetention}. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @JsonProperty
    private Duration runRetentionCheckInterval = Duration.minutes(10);

    /** Output of one job kept in the archive (its lines in the logs and stream.jsonl); past it, the logs say so. */
    @NotNull
    @MinDataSize(value = 1, unit = DataSizeUnit.KIBIBYTES)
    @JsonProperty
    private DataSize maxJobOutputBytes = DataSize.mebibytes(512);

    /** Consumer group of the log archive; null: {@code <topicPrefix>-archive}. */
    @JsonProperty
    private String archiveGroupId;

    /** Kafka Streams state; null: a fresh temporary directory (state is restored from Kafka at start). */
    @JsonProperty
    private Path stateDir;

    @Valid
    @NotNull
    @JsonProperty
    private AuthFactory auth = new AuthFactory();

    @JsonProperty
    private boolean webView = true;

    @NotNull
    @JsonProperty
    private Duration workerHeartbeatInterval = Duration.seconds(10);

    /** How long a request waits for Kafka before answering 503. */
    @NotNull
    @JsonProperty
    private Duration kafkaTimeout = Duration.seconds(10);

    @Min(100)
    @Max(1_000_000)
    @JsonProperty
    private int eventHistoryPerRun = 5000;

    @Min(1)
    @Max(100_000)
    @JsonProperty
    private int eventHistoryRuns = 200;

    /** Memory one run's event history may take (estimated); with eventHistoryRuns, a bound on all of it. */
    @NotNull
    @MinDataSize(value = 64, unit = DataSizeUnit.KIBIBYTES)
    @JsonProperty
    private DataSize eventHistoryBytesPerRun = DataSize.mebibytes(16);

    @Min(1024)
    @JsonProperty
    private int maxRequestBytes = 1024 * 1024;

    /** Events an event-stream client may fall behind before it is dropped (it resumes with Last-Event-ID). */
    @Min(16)
    @Max(1_000_000)
    @JsonProperty
    private int eventStreamQueue = 2000;

    /** Event streams one token may hold open at once; one more gets 429. */
    @Min(1)
    @Max(10_000)
    @JsonProperty
    private int maxEventStreamsPerToken = 16;

    public KafkaSettings getKafka() {
        return kafka;
    }

    public void setKafka(KafkaSettings kafka) {
        this.kafka = kafka;
    }

    public Path getProfilesDir() {
        return profilesDir;
    }

    public void setProfilesDir(Path profilesDir) {
        this.profilesDir = profilesDir;
    }

    public Path getArchiveDir() {
        return archiveDir;
    }

    public void setArchiveDir(Path archiveDir) {
        this.archiveDir = archiveDir;
    }

    public Duration getRunRetention() {
        return runRetention;
    }

    public void setRunRetention(Duration runRetention) {
        this.runRetention = runRetention;
    }

    public Duration getRunRetentionCheckInterval() {
        return runRetentionCheckInterval;
    }

    public void setRunRetentionCheckInterval(Duration runRetentionCheckInterval) {
        this.runRetentionCheckInterval = runRetentionCheckInterval;
    }

    public Duration getArchiveRetention() {
        return archiveRetention;
    }

    public void setArchiveRetention(Duration archiveRetention) {
        this.archiveRetention = archiveRetention;
    }

    public DataSize getMaxJobOutputBytes() {
        return maxJobOutputBytes;
    }

    public String getArchiveGroupId() {
        return archiveGroupId != null && !archiveGroupId.isBlank() ? archiveGroupId
                : kafka.topics().prefix() + "-archive";
    }

    public void setArchiveGroupId(String archiveGroupId) {
        this.archiveGroupId = archiveGroupId;
    }

    public Path getStateDir() {
        return stateDir;
    }

    public void setStateDir(Path stateDir) {
        this.stateDir = stateDir;
    }

    public AuthFactory getAuth() {
        return auth;
    }

    public void setAuth(AuthFactory auth) {
        this.auth = auth;
    }

    public boolean isWebView() {
        return webView;
    }

    public void setWebView(boolean webView) {
        this.webView = webView;
    }

    public Duration getWorkerHeartbeatInterval() {
        return workerHeartbeatInterval;
    }

    public Duration getKafkaTimeout() {
        return kafkaTimeout;
    }

    public int getEventHistoryPerRun() {
        return eventHistoryPerRun;
    }

    public int getEventHistoryRuns() {
        return eventHistoryRuns;
    }

    public DataSize getEventHistoryBytesPerRun() {
        return eventHistoryBytesPerRun;
    }

    public int getMaxRequestBytes() {
        return maxRequestBytes;
    }

    public int getEventStreamQueue() {
        return eventStreamQueue;
    }

    public int getMaxEventStreamsPerToken() {
        return maxEventStreamsPerToken;
    }
}
