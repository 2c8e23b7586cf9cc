package org.vmtest.kafka.embedded;

import ch.qos.logback.classic.Level;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Keeps the broker's INFO chatter out of test and service logs. Levels are set in code rather than by shipping a
 * {@code logback.xml}, which would clash with the configuration of whatever embeds the broker.
 */
final class BrokerLogLevels {
    /** Set {@code -Dvmtest.embedded-kafka.log-level=INFO} to see the broker's own logs. */
    static final String LEVEL_PROPERTY = "vmtest.embedded-kafka.log-level";
    private static final List<String> BROKER_LOGGERS = List.of(
            "kafka", "org.apache.kafka", "state.change.logger", "org.apache.zookeeper");

    private BrokerLogLevels() {
    }

    static void quietenBrokerLoggers() {
        Level level = Level.toLevel(System.getProperty(LEVEL_PROPERTY), Level.WARN);
        for (String name : BROKER_LOGGERS) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger && logger.getLevel() == null) {
                logger.setLevel(level);
            }
        }
    }
}
