package org.vmtest.cli.dev;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import io.dropwizard.logging.common.BootstrapLogging;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Where the local cluster's services log while {@code vmtest dev} or {@code demo} shows its own progress: one file
 * per service under {@code dir}, and the terminal only with {@code --verbose}. Lines are routed by logger name, so
 * the Kafka client library's lines (whichever service's client wrote them) go to {@code kafka.log} with the
 * broker's. Closing restores the CLI's own configuration ({@code logback.xml}).
 *
 * <pre>
 * try (ServiceLogs logs = ServiceLogs.open(Path.of("vmtest-out/demo/logs"), verbose);
 *      DevCluster cluster = new DevCluster(...)) {
 *     ...
 * }
 * </pre>
 */
public final class ServiceLogs implements AutoCloseable {
    /** A service's file and the loggers whose lines go there. */
    public enum Service {
        KAFKA("kafka.log", "kafka", "org.apache.kafka", "state.change.logger"),
        COORDINATOR("coordinator.log", "org.vmtest.coordinator", "io.dropwizard", "org.eclipse.jetty",
                "org.glassfish", "org.hibernate.validator"),
        ANALYZER("analyzer.log", "org.vmtest.analyzer"),
        WORKER("worker.log", "org.vmtest.worker", "org.apache.sshd", "org.libvirt");

        private final String file;
        private final List<String> loggers;

        Service(String file, String... loggers) {
            this.file = file;
            this.loggers = List.of(loggers);
        }

        public String file() {
            return file;
        }
    }

    /** What is no service's: the CLI's own lines and any other library's. */
    public static final String OTHER_FILE = "cli.log";

    private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSS} %-5level [%thread] %logger{36}"
            + "%replace( run=%X{runId}){' run=$', ''}%replace( job=%X{jobId}){' job=$', ''}: %msg%n";

    private final LoggerContext context;
    private final Path dir;

    private ServiceLogs(LoggerContext context, Path dir) {
        this.context = context;
        this.dir = dir;
    }

    /**
     * From now on each service logs to its file in {@code dir} (created if needed), and also to standard error
     * when {@code verbose}. Levels as the services' defaults: INFO for vmtest and Dropwizard, WARN for the rest
     * ({@code VMTEST_LOG_LEVEL} sets vmtest's).
     */
    public static ServiceLogs open(Path dir, boolean verbose) throws IOException {
        Files.createDirectories(dir);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        // A Dropwizard application, when first constructed in a JVM, replaces the root logger's appenders with its
        // console; done here first, it does nothing when the coordinator starts. (The coordinator's own
        // configuration, `logging: type: external`, leaves logback alone after that.)
        BootstrapLogging.bootstrap();
        context.reset();
        Appender<ILoggingEvent> terminal = verbose ? start(new ConsoleAppender<>(), context, "terminal") : null;
        for (Service service : Service.values()) {
            Appender<ILoggingEvent> file = file(context, dir.resolve(service.file));
            for (String name : service.loggers) {
                Logger logger = context.getLogger(name);
                logger.setAdditive(false);
                logger.addAppender(file);
                if (terminal != null) logger.addAppender(terminal);
            }
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(file(context, dir.resolve(OTHER_FILE)));
        if (terminal != null) root.addAppender(terminal);
        context.getLogger("org.vmtest").setLevel(Level.toLevel(System.getenv("VMTEST_LOG_LEVEL"), Level.INFO));
        context.getLogger("io.dropwizard").setLevel(Level.INFO);
        return new ServiceLogs(context, dir);
    }

    public Path dir() {
        return dir;
    }

    /** Closes the files and gives logging back to the CLI's {@code logback.xml}. */
    @Override
    public void close() {
        context.reset();
        try {
            new ContextInitializer(context).autoConfig();
        } catch (JoranException e) {
            throw new IllegalStateException("cannot restore the CLI's logging configuration", e);
        }
    }

    private static Appender<ILoggingEvent> file(LoggerContext context, Path file) {
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setFile(file.toString());
        appender.setAppend(false);
        return start(appender, context, file.getFileName().toString());
    }

    private static <A extends OutputStreamAppender<ILoggingEvent>> A start(A appender, LoggerContext context, String name) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        appender.setContext(context);
        appender.setName(name);
        appender.setEncoder(encoder);
        if (appender instanceof ConsoleAppender<ILoggingEvent> console) console.setTarget("System.err");
        appender.start();
        return appender;
    }
}
