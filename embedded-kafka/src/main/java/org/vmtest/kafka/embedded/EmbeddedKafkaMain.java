package org.vmtest.kafka.embedded;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link EmbeddedKafka} as its own OS process, so a test can kill it (SIGKILL) and start it again on the
 * same ports and data directory. Prints {@value #READY_PREFIX}{@code host:port} on stdout once clients can
 * connect, then runs until the process ends: SIGTERM stops the broker cleanly, SIGKILL leaves the data directory as
 * a crash would.
 *
 * <pre>
 * java -cp ... org.vmtest.kafka.embedded.EmbeddedKafkaMain [--port N] [--controller-port N] [--data-dir DIR]
 *      [--host H] [--property key=value]... [--scram-admin USER]
 *      [--node-id N --cluster-id ID --controller-quorum-voters id@host:port,...]
 * </pre>
 *
 * The last three make the process one node of a multi-node cluster ({@link EmbeddedKafkaCluster}): every node gets
 * the same cluster id and voters, and prints its address once all the voters' brokers are registered.
 *
 * With {@code --scram-admin USER} the broker listener takes SASL/SCRAM-SHA-512 and ACLs are enforced (see
 * {@link Scram}); the admin's password comes from the environment variable {@value #ADMIN_PASSWORD_ENV}, never from
 * the command line, which other users of the host can read.
 */
public final class EmbeddedKafkaMain {
    public static final String READY_PREFIX = "BOOTSTRAP=";
    public static final String ADMIN_PASSWORD_ENV = "EMBEDDED_KAFKA_ADMIN_PASSWORD";

    private EmbeddedKafkaMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        EmbeddedKafka.Builder builder;
        try {
            builder = parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("embedded-kafka: " + e.getMessage());
            System.err.println("usage: EmbeddedKafkaMain [--port N] [--controller-port N] [--data-dir DIR] [--host H]"
                    + " [--property key=value]... [--scram-admin USER]"
                    + " [--node-id N --cluster-id ID --controller-quorum-voters id@host:port,...]");
            System.exit(2);
            return;
        }
        EmbeddedKafka kafka = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "embedded-kafka-shutdown"));
        System.out.println(READY_PREFIX + kafka.bootstrapServers());
        System.out.flush();
        new CountDownLatch(1).await();
    }

    static EmbeddedKafka.Builder parse(String[] args) {
        return parse(args, Map.of());
    }

    static EmbeddedKafka.Builder parse(String[] args, Map<String, String> env) {
        EmbeddedKafka.Builder builder = EmbeddedKafka.builder();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--port" -> builder.port(parsePort(option, value));
                case "--controller-port" -> builder.controllerPort(parsePort(option, value));
                case "--data-dir" -> builder.dataDir(Path.of(value));
                case "--host" -> builder.host(value);
                case "--node-id" -> builder.nodeId(parseInt(option, value));
                case "--cluster-id" -> builder.clusterId(value);
                case "--controller-quorum-voters" -> builder.controllerQuorumVoters(value);
                case "--property" -> {
                    int eq = value.indexOf('=');
                    if (eq < 1) throw new IllegalArgumentException("--property needs key=value, got '" + value + "'");
                    builder.brokerProperty(value.substring(0, eq), value.substring(eq + 1));
                }
                case "--scram-admin" -> {
                    String password = env.get(ADMIN_PASSWORD_ENV);
                    if (password == null || password.isEmpty()) {
                        throw new IllegalArgumentException("--scram-admin needs the admin's password in $" + ADMIN_PASSWORD_ENV);
                    }
                    builder.scram(value, password);
                }
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return builder;
    }

    private static int parsePort(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a port number, got '" + value + "'");
        }
    }

    private static int parseInt(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got '" + value + "'");
        }
    }
}
