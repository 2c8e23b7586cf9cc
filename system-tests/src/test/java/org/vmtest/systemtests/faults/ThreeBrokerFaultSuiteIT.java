package org.vmtest.systemtests.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.vmtest.kafka.embedded.EmbeddedKafkaCluster;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.kafka.Topics;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.PhaseChanged;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.systemtests.SystemTestSetup;
import org.vmtest.testing.cluster.ProcessCluster;
import org.vmtest.testing.cluster.StreamTail;

/**
 * Kafka nodes killed mid-run on a cluster as production runs it: three KRaft nodes (broker and controller each), each
 * its own process, the project's topics with 3 replicas and 2 in sync, every service given all three brokers. A case
 * passes when the run still ends PASSED, its job ran once (one JobStarted) and has exactly one JobVerdict, the run
 * one RunVerdict, the API answered every request meanwhile, and the killed node, started again, rejoins: every
 * partition of the project's topics is back to 3 in-sync replicas. Both cases share one cluster; each repetition is
 * one short {@code pass} run. Repetitions: {@code -Dvmtest.faults.repeat}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ThreeBrokerFaultSuiteIT {
    private static final JsonSerde<StreamEvent> STREAM = JsonSerde.of(StreamEvent.class);
    private static final Duration JOB_START = Duration.ofMinutes(4);
    private static final Duration RUN_DONE = Duration.ofMinutes(6);
    /** A restarted node catches up on a few MB of records; this leaves room for a loaded host. */
    private static final Duration HEAL = Duration.ofMinutes(2);

    private final int repeats = SystemTestSetup.faultRepeats();
    private ProcessCluster cluster;

    @BeforeAll
    void startCluster() {
        cluster = ProcessCluster.builder(SystemTestSetup.guestDir(), SystemTestSetup.profilesDir())
                .brokers(3).workers(1).start();
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    @Order(1)
    void brokerThatIsNotTheControllerKilledMidRunLosesNothingAndRejoins() {
        FaultTally tally = new FaultTally("3 brokers: SIGKILL of a broker that is not the controller, mid-run");
        for (int i = 0; i < repeats; i++) {
            runWithKill(tally, this::brokerNotController, "broker");
        }
        tally.report(cluster.diagnostics());
    }

    @Test
    @Order(2)
    void activeControllerKilledMidRunLosesNothingAndANewOneLeads() {
        FaultTally tally = new FaultTally("3 brokers: SIGKILL of the active controller, mid-run");
        for (int i = 0; i < repeats; i++) {
            runWithKill(tally, () -> kafka().activeControllerId(), "active controller");
        }
        tally.report(cluster.diagnostics());
    }

    /** Submits a pass run, kills the node {@code victim} names once the job is installing, checks the run's end. */
    private void runWithKill(FaultTally tally, java.util.function.IntSupplier victim, String role) {
        RunWatch watch = new RunWatch(cluster, RUN_DONE);
        String runId = null;
        String problem;
        try (StreamTail tail = new StreamTail(cluster.settings())) {
            JsonNode run = cluster.api().submit(List.of("pass"));
            runId = run.get("id").asText();
            String jobId = run.get("jobs").get(0).get("id").asText();
            if (tail.await(e -> e instanceof PhaseChanged p && p.jobId().equals(jobId)
                    && p.phase() == Phase.INSTALLATION, JOB_START).isEmpty()) {
                problem = "the job never reached its installation";
            } else {
                int node = victim.getAsInt();
                int controllerBefore = kafka().activeControllerId();
                kafka().kill(node);
                long killed = System.nanoTime();
                Optional<JsonNode> done = watch.awaitDone(runId);
                long runEnd = System.nanoTime();
                problem = watch.check(done, "PASSED");
                int controllerAfter = kafka().activeControllerId();
                if (problem == null && controllerAfter == node) {
                    problem = "node " + node + " is dead but still reported as the active controller";
                }
                if (problem == null && watch.unanswered() > 0) {
                    problem = "the API did not answer " + watch.unanswered() + " request(s) after the kill: "
                            + watch.lastError();
                }
                int starts = jobStarts(jobId);
                if (problem == null && starts != 1) problem = "the job started " + starts + " times, not once";
                kafka().restart(node);
                String healed = awaitFullIsr();
                long rejoined = System.nanoTime();
                if (problem == null && healed != null) problem = "after node " + node + " restarted: " + healed;
                System.out.printf("FAULT DETAIL 3 brokers, %s: killed node %d (controller %d before, %d after), "
                                + "run done %d s after the kill, job started %d time(s), node back and every "
                                + "partition at 3 in-sync replicas %d s after the run ended%n",
                        role, node, controllerBefore, controllerAfter, (runEnd - killed) / 1_000_000_000L, starts,
                        (rejoined - runEnd) / 1_000_000_000L);
            }
        } catch (RuntimeException e) {
            problem = "the case broke off: " + e;
            restartDeadNodes();
        }
        if (runId != null) {
            watch.tally(tally, runId, problem);
        } else {
            tally.record(0, 0, problem);
        }
    }

    /**
     * A node that is not the active controller: preferably the leader of the jobs partition (the share group's
     * state and every job record move with it), else the first other one.
     */
    private int brokerNotController() {
        int controller = kafka().activeControllerId();
        int jobsLeader = describe(cluster.topics().jobs()).partitions().get(0).leader().id();
        if (jobsLeader != controller) return jobsLeader;
        return kafka().nodeIds().stream().filter(id -> id != controller).findFirst().orElseThrow();
    }

    /** So that a case that broke off leaves the next one three nodes. */
    private void restartDeadNodes() {
        for (int id : kafka().nodeIds()) {
            if (!kafka().node(id).isAlive()) kafka().restart(id);
        }
    }

    private EmbeddedKafkaCluster kafka() {
        return cluster.kafkaCluster();
    }

    /** How many times the job was started, as the stream topic says. */
    private int jobStarts(String jobId) {
        return (int) cluster.topicReader().decodeAll(cluster.topics().stream(), STREAM::decode).stream()
                .filter(e -> e instanceof JobStarted s && s.jobId().equals(jobId)).count();
    }

    /** Null once every partition of the project's topics has 3 in-sync replicas, else what is still short. */
    private String awaitFullIsr() {
        long deadline = System.nanoTime() + HEAL.toNanos();
        List<String> lagging = underReplicated();
        while (!lagging.isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
            lagging = underReplicated();
        }
        return lagging.isEmpty() ? null : "partitions under 3 in-sync replicas after " + HEAL.toSeconds() + " s: " + lagging;
    }

    private List<String> underReplicated() {
        Topics topics = cluster.topics();
        List<String> names = topics.specs(1, (short) 3).stream().map(Topics.TopicSpec::name).toList();
        List<String> lagging = new ArrayList<>();
        try (Admin admin = Admin.create(cluster.settings().admin("fault-suite-isr"))) {
            Map<String, TopicDescription> all = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
            for (TopicDescription d : all.values()) {
                for (TopicPartitionInfo p : d.partitions()) {
                    if (p.isr().size() < 3) lagging.add(d.name() + "-" + p.partition() + " isr " + p.isr().size());
                }
            }
        } catch (Exception e) {
            lagging.add("cannot describe topics: " + e);
        }
        return lagging;
    }

    private TopicDescription describe(String topic) {
        try (Admin admin = Admin.create(cluster.settings().admin("fault-suite-describe"))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe " + topic + ": " + e, e);
        }
    }
}
