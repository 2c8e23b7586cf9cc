package org.vmtest.testing.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One vmtest service as its own OS process: the real main class, started with the test JVM's class path and a
 * config file, its output appended to a log file. It is started as systemd starts a service ({@link ServiceLaunch}):
 * its own session, no terminal, stdin from {@code /dev/null}, optionally as another user. {@link #kill()} is a SIGKILL (nothing runs on the way out),
 * {@link #stop()} a SIGTERM (shutdown hooks run), {@link #start()} after either launches it again with the same
 * command and config.
 */
public final class ServiceProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final List<String> command;
    private final Path log;
    private final String readyMarker;
    private final BooleanSupplier readyCheck;
    private final Duration startTimeout;
    private final ServiceUser user;
    private Process process;
    private long logOffsetAtStart;
    private int starts;

    /**
     * @param readyMarker a log line fragment printed once the service works, or null
     * @param readyCheck  another readiness test (e.g. an HTTP probe), or null
     */
    ServiceProcess(String name, List<String> command, Path log, String readyMarker, BooleanSupplier readyCheck,
                   Duration startTimeout) {
        this(name, command, log, readyMarker, readyCheck, startTimeout, ServiceUser.INVOKER);
    }

    ServiceProcess(String name, List<String> command, Path log, String readyMarker, BooleanSupplier readyCheck,
                   Duration startTimeout, ServiceUser user) {
        this.user = user;
        this.name = name;
        this.command = List.copyOf(command);
        this.log = log;
        this.readyMarker = readyMarker;
        this.readyCheck = readyCheck;
        this.startTimeout = startTimeout;
    }

    /** {@code java <jvmOptions> -cp <this JVM's class path> mainClass args...} */
    static List<String> javaCommand(List<String> jvmOptions, String mainClass, List<String> args) {
        return javaCommand(jvmOptions, System.getProperty("java.class.path"), mainClass, args);
    }

    /** {@code java <jvmOptions> -cp <classPath> mainClass args...} */
    static List<String> javaCommand(List<String> jvmOptions, String classPath, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    public String name() {
        return name;
    }

    public Path logFile() {
        return log;
    }

    /** Launches the process and waits until it is ready; a process that dies or stays unready fails here. */
    public synchronized ServiceProcess start() {
        if (isAlive()) throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "---- " + name + " start #" + (starts + 1) + ": " + String.join(" ",
                            command.subList(command.size() - 2, command.size())) + "\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            logOffsetAtStart = Files.size(log);
            process = ServiceLaunch.processBuilder(command, user).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        starts++;
        long t0 = System.nanoTime();
        long deadline = t0 + startTimeout.toNanos();
        while (!ready()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with status " + process.exitValue()
                        + " before it was ready; its log:\n" + tail(40));
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " not ready within " + startTimeout.toSeconds()
                        + " s; its log:\n" + tail(40));
            }
            pause(200);
        }
        LOG.info("{} ready (pid {}) in {} ms", name, process.pid(), (System.nanoTime() - t0) / 1_000_000);
        return this;
    }

    private boolean ready() {
        if (readyMarker != null && !logSinceStart().contains(readyMarker)) return false;
        return readyCheck == null || readyCheck.getAsBoolean();
    }

    /** SIGKILL, and waits until the process is gone. */
    public synchronized void kill() {
        if (process == null || !process.isAlive()) return;
        process.destroyForcibly();
        awaitExit();
        LOG.info("{} killed (SIGKILL)", name);
    }

    /** SIGTERM: the service shuts down cleanly; SIGKILL if it has not exited within 30 s. */
    public synchronized void stop() {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{} did not stop within {} s of SIGTERM: SIGKILL", name, EXIT_TIMEOUT.toSeconds());
                process.destroyForcibly();
                awaitExit();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** SIGKILL, then the same command and config again. */
    public synchronized ServiceProcess restart() {
        kill();
        return start();
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        if (process == null) throw new IllegalStateException(name + " never started");
        return process.pid();
    }

    /**
     * The process's controlling terminal as {@code ps -o tty=} prints it: {@code ?} for none, as for every service
     * under systemd, or a device such as {@code pts/3}.
     */
    public String terminal() {
        long pid = pid();
        try {
            Process ps = new ProcessBuilder("ps", "-o", "tty=", "-p", Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!ps.waitFor(10, TimeUnit.SECONDS)) throw new IllegalStateException("ps did not finish");
            if (ps.exitValue() != 0) throw new IllegalStateException(name + " (pid " + pid + ") is not running");
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run ps", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Whether the process leads its own session (its session id is its pid), as a systemd service does. */
    public boolean leadsItsSession() {
        return ProcStatus.sessionId(pid()).orElse(-1) == pid();
    }

    /** Resident set size of the process (VmRSS in /proc/PID/status), empty if it is not running. */
    public OptionalLong rssKiB() {
        return isAlive() ? ProcStatus.rssKiB(pid()) : OptionalLong.empty();
    }

    /** What the process wrote since its latest start. */
    public String logSinceStart() {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(all.length, logOffsetAtStart);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The whole log, every start included. */
    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The last {@code lines} lines of the log, for assertion messages. */
    public String tail(int lines) {
        List<String> all = logText().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public void close() {
        kill();
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") did not exit after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name + " to exit", e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return name + (isAlive() ? " (pid " + process.pid() + ")" : " (not running)");
    }
}
