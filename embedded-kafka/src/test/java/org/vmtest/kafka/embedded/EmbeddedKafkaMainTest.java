package org.vmtest.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EmbeddedKafkaMainTest {

    @Test
    void acceptsPortsDataDirAndBrokerProperties() {
        assertThatCode(() -> EmbeddedKafkaMain.parse(new String[] {
                "--port", "19092", "--controller-port", "19093", "--data-dir", "/tmp/k", "--property", "a.b=c=d"}))
                .doesNotThrowAnyException();
    }

    @Test
    void aPortThatIsNotANumberIsNamedInTheError() {
        assertThatThrownBy(() -> EmbeddedKafkaMain.parse(new String[] {"--port", "ninety"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--port needs a port number, got 'ninety'");
    }

    @Test
    void aPortOutOfRangeIsRefused() {
        assertThatThrownBy(() -> EmbeddedKafkaMain.parse(new String[] {"--controller-port", "70000"}))
                .hasMessage("controllerPort must be in 1..65535, got 70000");
    }

    @Test
    void anOptionWithoutValueIsRefused() {
        assertThatThrownBy(() -> EmbeddedKafkaMain.parse(new String[] {"--data-dir"}))
                .hasMessage("option --data-dir needs a value");
    }

    @Test
    void anUnknownOptionIsRefused() {
        assertThatThrownBy(() -> EmbeddedKafkaMain.parse(new String[] {"--prot", "1"}))
                .hasMessage("unknown option --prot");
    }

    @Test
    void aPropertyWithoutKeyIsRefused() {
        assertThatThrownBy(() -> EmbeddedKafkaMain.parse(new String[] {"--property", "=x"}))
                .hasMessage("--property needs key=value, got '=x'");
    }

    @Test
    void scramAdminTakesItsPasswordFromTheEnvironmentOnly() {
        assertThatThrownBy(() -> EmbeddedKafkaMain.parse(new String[] {"--scram-admin", "admin"}, java.util.Map.of()))
                .hasMessage("--scram-admin needs the admin's password in $" + EmbeddedKafkaMain.ADMIN_PASSWORD_ENV);
        assertThatCode(() -> EmbeddedKafkaMain.parse(new String[] {"--scram-admin", "admin"},
                java.util.Map.of(EmbeddedKafkaMain.ADMIN_PASSWORD_ENV, "secret"))).doesNotThrowAnyException();
    }

    @Test
    void aNodeIdThatIsNotANumberIsNamedInTheError() {
        assertThatThrownBy(() -> EmbeddedKafkaMain.parse(new String[] {"--node-id", "two"}))
                .hasMessage("--node-id needs a number, got 'two'");
        assertThatCode(() -> EmbeddedKafkaMain.parse(new String[] {"--node-id", "2", "--cluster-id", "abc",
                "--controller-quorum-voters", "1@127.0.0.1:1,2@127.0.0.1:2,3@127.0.0.1:3"})).doesNotThrowAnyException();
    }

    @Test
    void threeVotersReplicateTopicsThreeTimesWithTwoInSyncAndOneVoterOnce() {
        var three = EmbeddedKafka.defaults("127.0.0.1", 1, 2, java.nio.file.Path.of("/tmp/k"), 2,
                "1@127.0.0.1:2,2@127.0.0.1:4,3@127.0.0.1:6");
        org.assertj.core.api.Assertions.assertThat(three)
                .containsEntry("node.id", "2")
                .containsEntry("default.replication.factor", "3")
                .containsEntry("min.insync.replicas", "2")
                .containsEntry("offsets.topic.replication.factor", "3")
                .containsEntry("transaction.state.log.min.isr", "2")
                .containsEntry("share.coordinator.state.topic.replication.factor", "3");
        org.assertj.core.api.Assertions.assertThat(EmbeddedKafka.defaults("127.0.0.1", 1, 2, java.nio.file.Path.of("/tmp/k")))
                .containsEntry("default.replication.factor", "1")
                .containsEntry("min.insync.replicas", "1");
    }
}
