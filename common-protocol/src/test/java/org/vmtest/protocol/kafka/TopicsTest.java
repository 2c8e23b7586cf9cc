package org.vmtest.protocol.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void defaultNamesAreTheContractNames() {
        Topics t = Topics.defaults();

        assertThat(t.jobs()).isEqualTo("vmtest.jobs");
        assertThat(t.stream()).isEqualTo("vmtest.stream");
        assertThat(t.verdicts()).isEqualTo("vmtest.verdicts");
        assertThat(t.control()).isEqualTo("vmtest.control");
        assertThat(t.workers()).isEqualTo("vmtest.workers");
        assertThat(t.dlq()).isEqualTo("vmtest.dlq");
        assertThat(t.workerShareGroup()).isEqualTo("vmtest-workers");
    }

    @Test
    void aPrefixMovesEveryName() {
        Topics t = new Topics("staging");

        assertThat(t.specs(3, (short) 1)).allSatisfy(s -> assertThat(s.name()).startsWith("staging."));
        assertThat(t.workerShareGroup()).isEqualTo("staging-workers");
    }

    @Test
    void workerStatusTopicIsCompacted() {
        assertThat(Topics.defaults().specs(6, (short) 3))
                .filteredOn(s -> s.name().equals("vmtest.workers"))
                .singleElement()
                .satisfies(s -> assertThat(s.configs())
                        .containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }

    @Test
    void jobsTopicHasOnePartitionSoThatEveryWorkerSlotSharesIt() {
        assertThat(Topics.defaults().specs(6, (short) 3))
                .filteredOn(s -> s.name().equals("vmtest.jobs"))
                .singleElement()
                .satisfies(s -> assertThat(s.partitions()).isEqualTo(1));
        assertThat(Topics.defaults().specs(6, (short) 3))
                .filteredOn(s -> s.name().equals("vmtest.stream"))
                .singleElement()
                .satisfies(s -> assertThat(s.partitions()).isEqualTo(6));
    }

    @Test
    void aPrefixWithIllegalCharactersIsRefused() {
        assertThatThrownBy(() -> new Topics("a b/c")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic prefix");
    }

    @Test
    void securitySettingsReachEveryClientUnchanged() {
        KafkaSettings s = KafkaSettings.of("b:9093")
                .withProperty("security.protocol", "SASL_SSL")
                .withProperty("sasl.mechanism", "SCRAM-SHA-512");

        assertThat(s.producer("p")).containsEntry("security.protocol", "SASL_SSL");
        assertThat(s.consumer("c", "g")).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(s.shareConsumer("c", "g")).containsEntry("security.protocol", "SASL_SSL");
        assertThat(s.streams("a")).containsEntry("security.protocol", "SASL_SSL");
        assertThat(s.admin("a")).containsEntry("bootstrap.servers", "b:9093");
    }

    @Test
    void anAssignedConsumerHasNoGroupAndCommitsNothing() {
        var p = KafkaSettings.of("b:9092").withProperty("security.protocol", "SSL").assignedConsumer("reader");

        assertThat(p).doesNotContainKey("group.id").containsEntry("enable.auto.commit", "false")
                .containsEntry("isolation.level", "read_committed").containsEntry("security.protocol", "SSL");
    }
}
