package org.vmtest.worker.jobs;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.kafka.KafkaSettings;

/**
 * The share group's settings the worker relies on. Idempotent, so every worker sets them at start:
 * RENEW acknowledgements are off by default (the broker refuses them), and a new share group would start at
 * the latest offset, skipping jobs submitted before the first worker came up.
 */
public final class ShareGroupSetup {
    private static final Logger LOG = LoggerFactory.getLogger(ShareGroupSetup.class);
    static final Map<String, String> SETTINGS = Map.of(
            "share.renew.acknowledge.enable", "true",
            "share.auto.offset.reset", "earliest");

    private ShareGroupSetup() {
    }

    public static void apply(KafkaSettings kafka, Map<String, String> extra) {
        String group = kafka.topics().workerShareGroup();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        java.util.Map<String, String> all = new java.util.HashMap<>(SETTINGS);
        all.putAll(extra);
        List<AlterConfigOp> ops = all.entrySet().stream()
                .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                .toList();
        try (Admin admin = Admin.create(kafka.admin("vmtest-worker-setup"))) {
            admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get(30, TimeUnit.SECONDS);
            LOG.info("share group {} configured: {}", group, all);
            warnIfJobsArePartitioned(admin, kafka.topics().jobs());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot configure share group " + group + " (" + all + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while configuring share group " + group, e);
        }
    }

    /**
     * A share group gives each partition to one member only while there are at least as many partitions as members,
     * and a slot's consumer fetches nothing while its job runs: with several partitions, a job on the partition of a
     * busy slot waits although other slots are free. The catalogue creates {@code jobs} with one partition, which
     * every slot shares; a topic created earlier with more keeps them (Kafka cannot reduce partitions).
     */
    private static void warnIfJobsArePartitioned(Admin admin, String topic) throws InterruptedException {
        try {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            if (partitions > 1) {
                LOG.warn("topic {} has {} partitions: a job may wait for a busy slot while another slot is free"
                        + " (the share group gives a partition to one slot's consumer while there are at least as many"
                        + " partitions as slots); recreate it with one partition", topic, partitions);
            }
        } catch (ExecutionException | TimeoutException e) {
            // advice only: the worker works either way
            LOG.debug("cannot count the partitions of {}: {}", topic, e.toString());
        }
    }
}
