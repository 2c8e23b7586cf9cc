package org.vmtest.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.testing.KafkaClusterExtension;

/** The look-up of a job's JobFinished on the stream topic, on the real broker. */
class FinishedJobsIT {
    private static final JsonSerde<StreamEvent> SERDE = JsonSerde.of(StreamEvent.class);

    @RegisterExtension
    static final KafkaClusterExtension kafka = new KafkaClusterExtension();

    private static FinishedJobs lookup;
    private static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void topics() {
        kafka.createTopics();
        lookup = new FinishedJobs(kafka.settings(), "test-finished-lookup", Duration.ofSeconds(30));
        producer = new KafkaProducer<>(kafka.settings().producer("test-stream"));
    }

    @AfterAll
    static void closeProducer() {
        if (producer != null) producer.close(Duration.ofSeconds(10));
    }

    private static void publish(StreamEvent event) throws Exception {
        producer.send(new ProducerRecord<>(kafka.topics().stream(), event.jobId(), SERDE.encode(event))).get(30, TimeUnit.SECONDS);
    }

    private static Line line(String jobId, long seq) {
        return new Line(jobId, 1, seq, LineSource.CONSOLE, Phase.INSTALLATION, Instant.now(), "line " + seq, false);
    }

    private static JobFinished finished(String jobId, int attempt) {
        return new JobFinished(jobId, attempt, Instant.now(), "run-" + jobId, Verdict.FAILED, "a test failed",
                Phase.TESTING, Map.of(Phase.TESTING, 1200L), "w1");
    }

    @Test
    void findsTheJobFinishedOfTheJobAmongOtherJobsRecords() throws Exception {
        Instant submitted = Instant.now();
        for (int i = 1; i <= 50; i++) publish(line("other-" + (i % 7), i));
        publish(line("job-a", 1));
        publish(finished("other-3", 1));
        publish(finished("job-a", 2));
        for (int i = 0; i < 20; i++) publish(line("other-" + (i % 7), 100 + i));

        assertThat(lookup.find("job-a", submitted)).hasValueSatisfying(f -> {
            assertThat(f.attempt()).isEqualTo(2);
            assertThat(f.outcome()).isEqualTo(Verdict.FAILED);
            assertThat(f.workerId()).isEqualTo("w1");
        });
    }

    @Test
    void aJobWithLinesButNoJobFinishedIsNotFinished() throws Exception {
        Instant submitted = Instant.now();
        publish(line("job-b", 1));
        publish(line("job-b", 2));
        publish(finished("job-b-other", 1));

        assertThat(lookup.find("job-b", submitted)).isEmpty();
    }

    @Test
    void aJobNobodyWroteAboutIsNotFinished() {
        assertThat(lookup.find("job-never-seen", Instant.now())).isEmpty();
    }
}
