package org.vmtest.protocol.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer without a group reading a whole topic: every partition assigned, each read from its beginning (to
 * replay what the topic holds) or from its end (to follow what comes next). The one way to do it, for the services,
 * the CLI and the tests.
 *
 * <pre>
 * try (KafkaConsumer&lt;String, byte[]&gt; consumer = new KafkaConsumer&lt;&gt;(settings.assignedConsumer("reader"))) {
 *     List&lt;TopicPartition&gt; partitions =
 *             Partitions.assignAll(consumer, settings.topics().verdicts(), Partitions.From.BEGINNING, Duration.ofSeconds(15));
 *     ... consumer.poll(...)
 * }
 * </pre>
 */
public final class Partitions {
    /** Where reading starts in each partition. */
    public enum From {
        /** The oldest record still kept. */
        BEGINNING,
        /** The next record written after the assignment. */
        END
    }

    private Partitions() {
    }

    /**
     * Every partition of {@code topic}; empty when the topic does not exist.
     *
     * @throws org.apache.kafka.common.errors.TimeoutException when the cluster did not answer within {@code timeout}
     */
    public static List<TopicPartition> of(Consumer<?, ?> consumer, String topic, Duration timeout) {
        return consumer.partitionsFor(topic, timeout).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    /**
     * Assigns {@code partitions} (in place of any earlier assignment) and seeks each to {@code from}. From the
     * {@link From#END END}, positions are looked up now rather than at the first poll, so a record written after
     * this call returns is read even if it lands before that poll.
     */
    public static void assign(Consumer<?, ?> consumer, Collection<TopicPartition> partitions, From from) {
        consumer.assign(partitions);
        switch (from) {
            case BEGINNING -> consumer.seekToBeginning(partitions);
            case END -> {
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position);
            }
        }
    }

    /**
     * {@link #of} and {@link #assign} in one: every partition of {@code topic}, read from {@code from}.
     *
     * @return the partitions assigned; empty (nothing assigned) when the topic does not exist
     */
    public static List<TopicPartition> assignAll(Consumer<?, ?> consumer, String topic, From from, Duration timeout) {
        List<TopicPartition> partitions = of(consumer, topic, timeout);
        assign(consumer, partitions, from);
        return partitions;
    }
}
