package org.vmtest.worker.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vmtest.worker.ssh.ExecResult;
import org.vmtest.worker.stream.LineAssembler;
import org.vmtest.worker.vm.VmStartException;

/**
 * A guest for unit tests of the phase script: commands answer as the test scripted them, a hanging command or an
 * SSH server that never answers moves the {@link ManualTicker} by the time allowed instead of waiting, and a reboot
 * gives a new boot id after the old system answered a set number of times more.
 */
final class FakeGuestSession implements GuestSession {
    static final String BOOT_ID = "cat /proc/sys/kernel/random/boot_id";

    /** How a scripted command answers. */
    @FunctionalInterface
    interface Reply {
        ExecResult answer(Duration timeout, LineAssembler stdout);
    }

    private final ManualTicker ticker;
    private final Map<String, Reply> replies = new HashMap<>();
    private final Map<String, Runnable> beforeExec = new HashMap<>();
    final List<String> commands = new CopyOnWriteArrayList<>();
    private volatile boolean poweredOn;
    private volatile boolean paused;
    private volatile boolean destroyed;
    private volatile boolean hungUp;
    private volatile boolean connected;
    private volatile boolean closed;
    private Runnable duringPowerOn = () -> { };
    private Duration fetchTime = Duration.ZERO;
    private VmStartException startFailure;
    private boolean sshAnswers = true;
    private int bootNumber = 1;
    private int oldSystemAnswersAfterReboot;
    private boolean comesBackAfterReboot = true;
    private boolean rebooting;
    final List<Duration> connectWaits = new ArrayList<>();
    final List<String> typed = new CopyOnWriteArrayList<>();
    private final StringBuilder console = new StringBuilder();
    private int consoleMatchedTo;
    private final Map<Pattern, String> consoleAnswers = new LinkedHashMap<>();
    private final Map<String, Runnable> whenTyping = new HashMap<>();

    FakeGuestSession(ManualTicker ticker) {
        this.ticker = ticker;
    }

    // --- scripting

    /** {@code command} exits with {@code exit} after printing {@code stdout}. */
    FakeGuestSession answer(String command, int exit, String stdout) {
        replies.put(command, (timeout, out) -> {
            print(out, stdout);
            return new ExecResult(exit, false, 0, "");
        });
        return this;
    }

    /** {@code command} runs for {@code took} (moving the clock) and exits 0; cut off at its timeout if that is less. */
    FakeGuestSession takes(String command, Duration took) {
        replies.put(command, (timeout, out) -> {
            if (took.compareTo(timeout) >= 0) return hang(timeout);
            ticker.advance(took);
            return new ExecResult(0, false, took.toMillis(), "");
        });
        return this;
    }

    /** {@code command} never ends: it is cut off at whatever timeout it is given. */
    FakeGuestSession hangs(String command) {
        replies.put(command, (timeout, out) -> hang(timeout));
        return this;
    }

    /** {@code command}'s connection drops: no exit status. */
    FakeGuestSession losesConnection(String command) {
        replies.put(command, (timeout, out) -> new ExecResult(-1, false, 0, "connection lost"));
        return this;
    }

    /** Runs {@code action} when {@code command} starts, as another thread might at that moment. */
    FakeGuestSession whenRunning(String command, Runnable action) {
        beforeExec.put(command, action);
        return this;
    }

    /** The console shows {@code text} (at once). */
    synchronized FakeGuestSession printsOnConsole(String text) {
        console.append(text);
        return this;
    }

    /** Typing something that {@code typedPattern} finds makes the console print {@code response}. */
    FakeGuestSession answersOnConsole(String typedPattern, String response) {
        consoleAnswers.put(Pattern.compile(typedPattern), response);
        return this;
    }

    /** Runs {@code action} when exactly {@code text} is typed, before the console sees it. */
    FakeGuestSession whenTyping(String text, Runnable action) {
        whenTyping.put(text, action);
        return this;
    }

    /** The power-on first spends {@code time} getting the job's artifacts. */
    FakeGuestSession fetchesArtifactsFor(Duration time) {
        fetchTime = time;
        return this;
    }

    FakeGuestSession whilePoweringOn(Runnable action) {
        duringPowerOn = action;
        return this;
    }

    FakeGuestSession failsToStart(String why) {
        startFailure = new VmStartException(why);
        return this;
    }

    FakeGuestSession sshNeverAnswers() {
        sshAnswers = false;
        return this;
    }

    /** After `reboot`, the old system still answers {@code times} logins (with its old boot id). */
    FakeGuestSession oldSystemAnswersAfterReboot(int times) {
        oldSystemAnswersAfterReboot = times;
        return this;
    }

    FakeGuestSession neverComesBackAfterReboot() {
        comesBackAfterReboot = false;
        return this;
    }

    private ExecResult hang(Duration timeout) {
        ticker.advance(timeout);
        return new ExecResult(-1, true, timeout.toMillis(), "timed out after " + timeout.toSeconds() + " s");
    }

    private static void print(LineAssembler out, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        out.feed(b, 0, b.length);
    }

    // --- what the test checks

    boolean paused() {
        return paused;
    }

    boolean destroyed() {
        return destroyed;
    }

    boolean hungUp() {
        return hungUp;
    }

    int bootNumber() {
        return bootNumber;
    }

    // --- GuestSession

    @Override
    public String powerOn() throws VmStartException {
        duringPowerOn.run();
        ticker.advance(fetchTime);
        if (startFailure != null) throw startFailure;
        ticker.advance(Duration.ofMillis(400));
        poweredOn = true;
        return "domain fake started (tcg)";
    }

    @Override
    public long artifactFetchMillis() {
        return fetchTime.toMillis();
    }

    @Override
    public String publicKey() {
        return "ssh-ed25519 AAAAfake vmtest-job-1";
    }

    @Override
    public void typeOnConsole(String text) throws IOException {
        Runnable action = whenTyping.get(text);
        if (action != null) action.run();
        typeNow(text);
    }

    private synchronized void typeNow(String text) throws IOException {
        if (hungUp || destroyed) throw new IOException("console closed");
        typed.add(text);
        console.append(text);
        consoleAnswers.forEach((p, response) -> {
            if (p.matcher(text).find()) console.append(response);
        });
    }

    @Override
    public synchronized boolean awaitConsole(Pattern pattern, Duration within) {
        Matcher m = pattern.matcher(console).region(consoleMatchedTo, console.length());
        if (!hungUp && m.find()) {
            consoleMatchedTo = m.end();
            return true;
        }
        ticker.advance(within);
        return false;
    }

    @Override
    public String sshAddress() {
        return "127.0.0.1:2222";
    }

    @Override
    public boolean poweredOn() {
        return poweredOn;
    }

    @Override
    public boolean pause() {
        paused = true;
        return true;
    }

    @Override
    public boolean destroy() {
        destroyed = true;
        return true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public synchronized boolean connectSsh(Duration within) {
        connectWaits.add(within);
        boolean answers = sshAnswers && !hungUp && !destroyed
                && (!rebooting || comesBackAfterReboot || oldSystemAnswersAfterReboot > 0);
        if (!answers) {
            ticker.advance(within);
            return false;
        }
        ticker.advance(Duration.ofMillis(100));
        connected = true;
        return true;
    }

    @Override
    public synchronized void disconnectSsh() {
        connected = false;
    }

    @Override
    public void hangUp() {
        hungUp = true;
        connected = false;
    }

    @Override
    public ExecResult exec(String command, Duration timeout, LineAssembler stdout, LineAssembler stderr) {
        commands.add(command);
        Runnable before = beforeExec.get(command);
        if (before != null) before.run();
        try {
            if (!connected || hungUp) return new ExecResult(-1, false, 0, "not connected");
            if (command.equals(BOOT_ID)) return bootId(stdout);
            if (command.equals("reboot")) {
                rebooting = true;
                return new ExecResult(-1, false, 0, "connection lost");
            }
            Reply reply = replies.get(command);
            if (reply == null) return new ExecResult(127, false, 0, "");
            return reply.answer(timeout, stdout);
        } finally {
            stdout.finish();
            stderr.finish();
        }
    }

    private synchronized ExecResult bootId(LineAssembler stdout) {
        if (rebooting) {
            if (oldSystemAnswersAfterReboot > 0) {
                oldSystemAnswersAfterReboot--;
            } else {
                rebooting = false;
                bootNumber++;
            }
        }
        print(stdout, "boot-" + bootNumber + "\n");
        return new ExecResult(0, false, 0, "");
    }

    @Override
    public void close() {
        closed = true;
        destroyed = true;
        connected = false;
    }

    boolean closed() {
        return closed;
    }
}
