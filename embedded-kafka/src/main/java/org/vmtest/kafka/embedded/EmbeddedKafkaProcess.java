package org.vmtest.kafka.embedded;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link EmbeddedKafkaMain} in a child JVM with this JVM's classpath, for tests of what happens when the broker
 * dies: {@link #kill()} is a SIGKILL, {@link #restart()} starts it again on the same ports and data directory, so
 * clients reconnect to the same address and find the records that were acknowledged before the kill.
 */
public final class EmbeddedKafkaProcess implements ScramBroker, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaProcess.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final String host;
    private final int port;
    private final int controllerPort;
    private final Path dataDir;
    private final List<String> extraArgs;
    private final Scram scram;
    private Process process;
    private String bootstrapServers;
    private volatile Path logFile;
    private boolean closed;

    private EmbeddedKafkaProcess(String host, int port, int controllerPort, Path dataDir, List<String> extraArgs,
                                 Scram scram) {
        this.host = host;
        this.port = port;
        this.controllerPort = controllerPort;
        this.dataDir = dataDir;
        this.extraArgs = List.copyOf(extraArgs);
        this.scram = scram;
    }

    /** Starts a broker process on free ports and a fresh data directory (deleted by {@link #close()}). */
    public static EmbeddedKafkaProcess start() {
        return start(List.of());
    }

    /** @param brokerProperties {@code key=value} broker properties */
    public static EmbeddedKafkaProcess start(List<String> brokerProperties) {
        return start(brokerProperties, null);
    }

    /**
     * A broker process with SASL/SCRAM and ACLs enforced ({@link Scram}); connect as its admin with
     * {@link #adminClientProperties()}, add users and ACLs with {@link #upsertScramUser} and {@link #addAcls}.
     */
    public static EmbeddedKafkaProcess startWithScram(Scram admin) {
        return start(List.of(), java.util.Objects.requireNonNull(admin, "admin"));
    }

    private static EmbeddedKafkaProcess start(List<String> brokerProperties, Scram scram) {
        String host = "127.0.0.1";
        EmbeddedKafkaProcess kafka = prepare(host, EmbeddedKafka.freePort(host), EmbeddedKafka.freePort(host),
                brokerProperties, List.of(), scram);
        try {
            kafka.launch();
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    /**
     * A process not started yet ({@link #launch()} starts it), with a fresh data directory.
     *
     * @param brokerProperties {@code key=value} broker properties
     * @param options          more {@link EmbeddedKafkaMain} options, such as a node's id and quorum
     */
    static EmbeddedKafkaProcess prepare(String host, int port, int controllerPort, List<String> brokerProperties,
                                        List<String> options, Scram scram) {
        Path dir;
        try {
            dir = Files.createTempDirectory("embedded-kafka-process-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory for the Kafka process", e);
        }
        List<String> args = new ArrayList<>(options);
        for (String property : brokerProperties) {
            args.add("--property");
            args.add(property);
        }
        if (scram != null) {
            args.add("--scram-admin");
            args.add(scram.adminUser());
        }
        return new EmbeddedKafkaProcess(host, port, controllerPort, dir, args, scram);
    }

    @Override
    public synchronized String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * Appends the process's output (the broker's warnings and errors, and more with
     * {@code -Dvmtest.embedded-kafka.log-level}) to {@code file} from now on, across restarts, besides this JVM's
     * debug log: a test shows it when a case fails.
     */
    public void logTo(Path file) {
        this.logFile = java.util.Objects.requireNonNull(file, "file");
    }

    /** The file {@link #logTo} named, or null. */
    public Path logFile() {
        return logFile;
    }

    /** {@code host:port} of the broker listener, known before the process first starts. */
    public String address() {
        return host + ":" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Client settings besides {@code bootstrap.servers} to connect as the admin; empty without SCRAM. */
    @Override
    public Map<String, String> adminClientProperties() {
        return scram == null ? Map.of() : Scram.clientProperties(scram.adminUser(), scram.adminPassword());
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed beyond what the broker already wrote. */
    public synchronized void kill() {
        if (process == null) return;
        process.destroyForcibly();
        awaitExit();
        LOG.info("Kafka process on {} killed", bootstrapServers);
    }

    /** Kills the process if it is alive, then starts it again on the same ports and data directory. */
    public synchronized void restart() {
        if (closed) throw new IllegalStateException("Kafka process already closed");
        kill();
        launch();
    }

    /** Stops the process (SIGKILL: its data is thrown away anyway) and deletes the data directory. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        kill();
        try {
            Utils.delete(dataDir.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete Kafka data directory " + dataDir, e);
        }
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Kafka process " + process.pid() + " did not exit after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka process to exit", e);
        }
    }

    /** Starts the process and waits for it to print its address. */
    synchronized void launch() {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                // A test broker lives for seconds to minutes: a quick start matters more than peak throughput.
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                EmbeddedKafkaMain.class.getName(),
                "--host", host,
                "--port", Integer.toString(port),
                "--controller-port", Integer.toString(controllerPort),
                "--data-dir", dataDir.toString()));
        command.addAll(extraArgs);
        long started = System.nanoTime();
        try {
            // Started as systemd starts a service: its own session, no terminal, stdin from /dev/null (as the test
            // harness starts every service: test-support's ServiceLaunch).
            List<String> setsid = new ArrayList<>(List.of("setsid"));
            setsid.addAll(command);
            ProcessBuilder builder = new ProcessBuilder(setsid).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (scram != null) builder.environment().put(EmbeddedKafkaMain.ADMIN_PASSWORD_ENV, scram.adminPassword());
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Kafka process: " + command.get(0), e);
        }
        CompletableFuture<String> ready = new CompletableFuture<>();
        Path log = logFile;
        Thread reader = new Thread(() -> forwardOutput(process, ready, log), "embedded-kafka-process-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        try {
            bootstrapServers = ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("Kafka process did not print " + EmbeddedKafkaMain.READY_PREFIX
                    + " within " + START_TIMEOUT.toSeconds() + " s: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the Kafka process", e);
        }
        LOG.info("Kafka process {} ready on {} in {} ms", process.pid(), bootstrapServers,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    /** Drains the child's output (a full pipe would stall it) and completes {@code ready} with its address. */
    private static void forwardOutput(Process child, CompletableFuture<String> ready, Path log) {
        List<String> tail = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             java.io.Writer file = log == null ? java.io.Writer.nullWriter()
                     : Files.newBufferedWriter(log, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                     java.nio.file.StandardOpenOption.APPEND)) {
            file.write("---- process " + child.pid() + " started\n");
            file.flush();
            String line;
            while ((line = out.readLine()) != null) {
                file.write(line);
                file.write('\n');
                file.flush();
                if (!ready.isDone() && line.startsWith(EmbeddedKafkaMain.READY_PREFIX)) {
                    ready.complete(line.substring(EmbeddedKafkaMain.READY_PREFIX.length()).strip());
                } else {
                    LOG.debug("[kafka {}] {}", child.pid(), line);
                    if (!ready.isDone()) {
                        tail.add(line);
                        if (tail.size() > 40) tail.remove(0);
                    }
                }
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
        ready.completeExceptionally(new IllegalStateException(
                "Kafka process exited before it was ready; last output:\n" + String.join("\n", tail)));
    }
}
