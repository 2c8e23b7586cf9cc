package org.vmtest.cli.results;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.vmtest.cli.ExitCodes;
import org.vmtest.protocol.codec.Decoded;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.KafkaSettings;
import org.vmtest.protocol.kafka.Partitions;
import org.vmtest.protocol.verdicts.Finding;
import org.vmtest.protocol.verdicts.JobVerdict;
import org.vmtest.protocol.verdicts.RunVerdict;
import org.vmtest.protocol.verdicts.Thought;
import org.vmtest.protocol.verdicts.VerdictEvent;
import org.apache.kafka.common.KafkaException;
import org.vmtest.cli.kafka.KafkaOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "results",
        mixinStandardHelpOptions = true,
        description = {"Reads verdicts straight from the vmtest.verdicts topic, for CI systems that consume Kafka "
                + "instead of calling the coordinator.",
                "With --run, exits 0 when the run PASSED, 1 when it failed or was aborted, 2 when it ended in "
                        + "ERROR (infrastructure) or its RunVerdict is not there (yet)."})
public final class ResultsCommand implements Callable<Integer> {
    private static final JsonSerde<VerdictEvent> SERDE = JsonSerde.of(VerdictEvent.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--topic-prefix", defaultValue = "vmtest", description = "topic prefix (default: ${DEFAULT-VALUE})")
    String topicPrefix;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--run", description = "only this run")
    String runId;

    @Option(names = "--follow", description = "keep reading new records; with --run, until its RunVerdict")
    boolean follow;

    @Option(names = "--thoughts", description = "also print findings and thoughts, not only verdicts")
    boolean thoughts;

    @Option(names = "--timeout", defaultValue = "PT2H", description = "give up following after this long (ISO-8601, "
            + "default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        KafkaSettings settings = kafka.settings().withTopicPrefix(topicPrefix);
        String topic = settings.topics().verdicts();
        var props = settings.assignedConsumer("vmtest-results");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            return results(consumer, topic, out, err);
        } catch (KafkaException e) {
            // Authorization and authentication failures, and timeouts (a SASL listener never answers a plain client)
            err.println("vmtest: cannot read " + topic + " on " + settings.bootstrapServers() + ": " + e.getClass().getSimpleName()
                    + ": " + e.getMessage() + " (" + KafkaOptions.HINT + ")");
            return ExitCodes.INFRASTRUCTURE;
        }
    }

    private int results(KafkaConsumer<String, byte[]> consumer, String topic, PrintWriter out, PrintWriter err) {
        List<TopicPartition> partitions = Partitions.assignAll(consumer, topic, Partitions.From.BEGINNING,
                Duration.ofSeconds(15));
        if (partitions.isEmpty()) {
            err.println("vmtest: topic " + topic + " does not exist on " + kafka.bootstrap());
            return ExitCodes.INFRASTRUCTURE;
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Optional<RunVerdict> verdict = read(consumer, end, out, err);
        if (runId == null) return ExitCodes.OK;
        if (verdict.isEmpty()) {
            err.println("vmtest: no RunVerdict for run " + runId + (follow ? " within " + timeout : " yet"));
            return ExitCodes.INFRASTRUCTURE;
        }
        return ExitCodes.of(verdict.get().verdict());
    }

    private Optional<RunVerdict> read(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end,
                                      PrintWriter out, PrintWriter err) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                if (runId != null && !runId.equals(r.key())) continue;
                Decoded<VerdictEvent> decoded = SERDE.decode(r.value());
                if (decoded instanceof Decoded.Malformed<VerdictEvent> bad) {
                    err.printf("skipping malformed record %s-%d@%d: %s%n", r.topic(), r.partition(), r.offset(),
                            bad.error());
                    continue;
                }
                VerdictEvent event = ((Decoded.Ok<VerdictEvent>) decoded).value();
                print(event, out);
                if (event instanceof RunVerdict rv && runId != null) return Optional.of(rv);
            }
            out.flush();
            if (!follow && caughtUp(consumer, end)) break;
        }
        return Optional.empty();
    }

    private static boolean caughtUp(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    private void print(VerdictEvent event, PrintWriter out) {
        if (event instanceof RunVerdict rv) {
            String jobs = rv.jobs().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
            out.printf("%s RunVerdict %s %s [%s]%n", rv.runId(), rv.time(), rv.verdict(), jobs);
        } else if (event instanceof JobVerdict jv) {
            out.printf("%s JobVerdict %s %s %-8s %s%s%n", jv.runId(), jv.jobId(), jv.profile(), jv.verdict(),
                    jv.reason(), jv.failure() == null ? "" : " [" + jv.failure().title() + "]");
        } else if (thoughts && event instanceof Finding f) {
            out.printf("%s Finding %s %s %s line %d: %s%n", f.runId(), f.jobId(), f.category(), f.patternId(),
                    f.lineSeq(), f.title());
        } else if (thoughts && event instanceof Thought t) {
            out.printf("%s Thought %s %s -> %s: %s%n", t.runId(), t.jobId(), t.observed(), t.decision(), t.reason());
        }
    }
}
