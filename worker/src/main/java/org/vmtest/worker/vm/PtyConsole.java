package org.vmtest.worker.vm;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a domain's serial console from its pty as the guest prints, on a thread of its own. libvirt-java 0.5.4
 * has no {@code virDomainOpenConsole}, and the pty gives the bytes with no extra hop: a blocking read returns as
 * soon as QEMU wrote them. The pty is switched to raw mode first: otherwise the line discipline would cut long
 * lines at 4 KiB, turn CR into NL, and echo the guest's output back to it as keyboard input. While it is open
 * QEMU cannot drop output: a slow reader slows the guest's console down instead.
 */
final class PtyConsole implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PtyConsole.class);

    /** Receives raw console bytes; {@code buf} is only valid during the call. */
    @FunctionalInterface
    interface Sink {
        void bytes(byte[] buf, int len);
    }

    private final String device;
    private final InputStream in;
    private final Thread reader;
    private volatile long bytesRead;

    private PtyConsole(String device, InputStream in, Sink sink, Runnable onEnd, String threadName) {
        this.device = device;
        this.in = in;
        this.reader = new Thread(() -> pump(sink, onEnd), threadName);
        this.reader.setDaemon(true);
    }

    static PtyConsole open(String device, Sink sink, Runnable onEnd, String threadName) throws VmStartException {
        makeRaw(device);
        try {
            PtyConsole console = new PtyConsole(device, new FileInputStream(device), sink, onEnd, threadName);
            console.reader.start();
            return console;
        } catch (IOException e) {
            throw new VmStartException("cannot open the console pty " + device + ": " + e.getMessage(), e);
        }
    }

    private static void makeRaw(String device) throws VmStartException {
        try {
            Process p = new ProcessBuilder("stty", "-F", device, "raw", "-echo").redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new VmStartException("stty on " + device + " did not finish");
            }
            if (p.exitValue() != 0) {
                throw new VmStartException("stty raw on " + device + " failed: "
                        + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new VmStartException("cannot run stty for " + device + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmStartException("interrupted while preparing " + device, e);
        }
    }

    private void pump(Sink sink, Runnable onEnd) {
        byte[] buf = new byte[64 * 1024];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (n > 0) {
                    bytesRead += n;
                    sink.bytes(buf, n);
                }
            }
        } catch (IOException e) {
            // EIO: QEMU closed its side because the domain is gone. The normal end of every console.
            LOG.debug("console {} ended: {}", device, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("console {} reader failed", device, e);
        } finally {
            onEnd.run();
        }
    }

    long bytesRead() {
        return bytesRead;
    }

    /** Waits for the reader to reach the end of the console (the domain must be gone for that). */
    boolean awaitEnd(long millis) throws InterruptedException {
        reader.join(millis);
        return !reader.isAlive();
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            LOG.debug("closing console {}: {}", device, e.getMessage());
        }
    }
}
