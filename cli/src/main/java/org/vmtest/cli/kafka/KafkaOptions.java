package org.vmtest.cli.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.vmtest.protocol.kafka.KafkaSettings;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How a command that is itself a Kafka client ({@code results}, {@code doctor}) reaches the cluster: {@code
 * --bootstrap HOST:PORT} (or {@code $VMTEST_BOOTSTRAP}) and {@code --kafka-config FILE}, a Java properties file whose entries go to the client unchanged, as Kafka's own tools take {@code
 * --command-config}. A cluster with SASL or TLS needs it, e.g.
 *
 * <pre>
 * security.protocol=SASL_PLAINTEXT
 * sasl.mechanism=SCRAM-SHA-512
 * sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="ci" password="...";
 * </pre>
 */
public final class KafkaOptions {
    /** What a failure to reach or use Kafka adds, so a user of a secured cluster knows where the settings go. */
    public static final String HINT = "a cluster with SASL or TLS needs its client settings: --kafka-config FILE";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", defaultValue = "${env:VMTEST_BOOTSTRAP}",
            description = "Kafka bootstrap servers (default: $VMTEST_BOOTSTRAP)")
    String bootstrap;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties (SASL, TLS, ...) merged into this command's client config")
    Path file;

    /** Whether a cluster was named, by {@code --bootstrap} or {@code $VMTEST_BOOTSTRAP}. */
    public boolean given() {
        return bootstrap != null && !bootstrap.isBlank();
    }

    /** The bootstrap servers; a usage error when none were given. */
    public String bootstrap() {
        if (!given()) {
            throw new ParameterException(mixee.commandLine(),
                    "Missing required option: '--bootstrap=HOST:PORT' (or set VMTEST_BOOTSTRAP)");
        }
        return bootstrap;
    }

    /** The client settings for {@link #bootstrap()} with the {@code --kafka-config} file's properties added. */
    public KafkaSettings settings() {
        return apply(KafkaSettings.of(bootstrap()));
    }

    private KafkaSettings apply(KafkaSettings settings) {
        if (file == null) return settings;
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(),
                    "--kafka-config: cannot read " + file + ": " + e.getMessage());
        }
        KafkaSettings result = settings;
        for (String key : props.stringPropertyNames()) {
            result = result.withProperty(key, props.getProperty(key));
        }
        return result;
    }
}
