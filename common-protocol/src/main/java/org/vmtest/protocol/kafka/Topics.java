package org.vmtest.protocol.kafka;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The topic catalogue. The names are part of the contract; a deployment may put them under another prefix
 * (several vmtest installations on one Kafka cluster), the default being {@code vmtest}.
 */
public record Topics(String prefix) {
    public static final String DEFAULT_PREFIX = "vmtest";
    /** The share group all workers take jobs from. */
    public static final String WORKER_SHARE_GROUP_SUFFIX = "workers";
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    public Topics {
        Objects.requireNonNull(prefix, "prefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("topic prefix must match " + PREFIX.pattern() + ", got '" + prefix + "'");
        }
    }

    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX);
    }

    public String jobs() {
        return prefix + ".jobs";
    }

    public String stream() {
        return prefix + ".stream";
    }

    public String verdicts() {
        return prefix + ".verdicts";
    }

    public String control() {
        return prefix + ".control";
    }

    public String workers() {
        return prefix + ".workers";
    }

    public String dlq() {
        return prefix + ".dlq";
    }

    /** Coordinator run state (compacted), from which any coordinator rebuilds what its API shows. */
    public String runs() {
        return prefix + ".runs";
    }

    /** What users asked of runs ({@code RunSubmitted}, {@code RunCancelled}), keyed by run id. */
    public String runCommands() {
        return prefix + ".run-commands";
    }

    /** The known-issue registry (compacted), keyed by known-issue id; read by coordinators and analyzers. */
    public String knownIssues() {
        return prefix + ".known-issues";
    }

    public String workerShareGroup() {
        return prefix + "-" + WORKER_SHARE_GROUP_SUFFIX;
    }

    /**
     * What each topic needs when it is created. {@code partitions} applies to every topic but {@code jobs} and the
     * single-partition ones.
     *
     * <p>{@code jobs} has one partition: a share group gives each partition to a single member while there are at
     * least as many partitions as members, and a worker slot's consumer fetches nothing while its job runs, so with
     * several partitions a job keyed to a busy slot's partition waited although other slots were free. One
     * partition is shared by every member; it holds up to {@code group.share.partition.max.record.locks} (broker
     * setting, 2000 by default) jobs running at once.
     */
    public List<TopicSpec> specs(int partitions, short replicationFactor) {
        String week = Long.toString(7L * 24 * 3600 * 1000);
        Map<String, String> deleteWeek = Map.of(TopicConfig.RETENTION_MS_CONFIG, week);
        Map<String, String> compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        return List.of(
                new TopicSpec(jobs(), 1, replicationFactor, deleteWeek),
                new TopicSpec(stream(), partitions, replicationFactor, deleteWeek),
                new TopicSpec(verdicts(), partitions, replicationFactor,
                        Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(30L * 24 * 3600 * 1000))),
                new TopicSpec(control(), partitions, replicationFactor, deleteWeek),
                new TopicSpec(workers(), 1, replicationFactor, compacted),
                new TopicSpec(runs(), partitions, replicationFactor, compacted),
                new TopicSpec(knownIssues(), 1, replicationFactor, compacted),
                new TopicSpec(runCommands(), partitions, replicationFactor,
                        Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(30L * 24 * 3600 * 1000))),
                new TopicSpec(dlq(), 1, replicationFactor,
                        Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(30L * 24 * 3600 * 1000))));
    }

    public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        public TopicSpec {
            configs = Map.copyOf(configs);
        }
    }
}
