package org.vmtest.worker.vm;

import java.io.IOException;
import java.util.Arrays;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a domain's serial console through libvirt's console stream ({@code virDomainOpenConsole}), on a thread of
 * its own, as the guest prints.
 *
 * <p>Why a libvirt stream and not the pty: libvirtd opens the pty on its side, so this process never opens a
 * terminal. A worker that leads its own session with no terminal (as systemd runs every service) would otherwise
 * acquire the first console pty it opens as its controlling terminal and get SIGHUP when QEMU closes it, ending the
 * worker after its first VM. The stream also works over a remote libvirt URI, and needs no access to
 * {@code /dev/pts} beyond what libvirt grants, so an unprivileged worker in the libvirt group reads every console.
 * libvirtd puts the pty in raw mode itself: no line discipline cuts long lines, turns CR into NL or echoes.
 *
 * <p>The stream is blocking: {@code virStreamRecv} waits for the next packet without any libvirt event loop (the
 * client library does its own I/O, and other calls on the same connection go on meanwhile). It returns 0 at the
 * end of the console, when the domain is gone, or fails when the connection breaks; either ends the reader. While
 * the stream is open nothing the guest prints is dropped: a slow reader slows the console down instead.
 */
final class ConsoleStream {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleStream.class);

    /** Receives raw console bytes; {@code buf} is only valid during the call. */
    @FunctionalInterface
    interface Sink {
        void bytes(byte[] buf, int len);
    }

    private final String domainName;
    private final Stream stream;
    private final Thread reader;
    private final Object sendLock = new Object();

    private ConsoleStream(String domainName, Stream stream, Sink sink, Runnable onEnd, String threadName) {
        this.domainName = domainName;
        this.stream = stream;
        this.reader = new Thread(() -> pump(sink, onEnd), threadName);
        this.reader.setDaemon(true);
    }

    /**
     * Attaches to the console of {@code domain} (created paused, so nothing it prints is missed) and starts the
     * reader. {@code onEnd} runs on the reader thread once the console has ended.
     */
    static ConsoleStream open(Hypervisor hypervisor, Domain domain, String domainName, Sink sink, Runnable onEnd,
                              String threadName) throws VmStartException {
        Stream stream;
        try {
            stream = hypervisor.newStream();
        } catch (LibvirtException e) {
            throw new VmStartException("libvirt cannot make a stream for the console of " + domainName + ": "
                    + e.getMessage(), e);
        }
        try {
            LibvirtConsoleBinding.openConsole(domain, stream);
        } catch (VmStartException | RuntimeException e) {
            free(stream, domainName);
            throw e;
        }
        ConsoleStream console = new ConsoleStream(domainName, stream, sink, onEnd, threadName);
        console.reader.start();
        return console;
    }

    private void pump(Sink sink, Runnable onEnd) {
        byte[] buf = new byte[64 * 1024];
        try {
            int n;
            while ((n = stream.receive(buf)) > 0) {
                sink.bytes(buf, n);
            }
            // 0: the end of the console, because the domain is gone. The normal end of every console.
            finish();
        } catch (LibvirtException e) {
            // the connection broke or libvirtd ended the stream with an error (some versions do when QEMU exits)
            LOG.debug("console of {} ended: {}", domainName, e.getMessage());
            abort();
        } catch (RuntimeException e) {
            LOG.error("console reader of {} failed", domainName, e);
            abort();
        } finally {
            free(stream, domainName);
            onEnd.run();
        }
    }

    private void finish() {
        try {
            stream.finish();
        } catch (LibvirtException e) {
            LOG.debug("finishing the console stream of {}: {}", domainName, e.getMessage());
        }
    }

    private void abort() {
        try {
            stream.abort();
        } catch (LibvirtException e) {
            LOG.debug("aborting the console stream of {}: {}", domainName, e.getMessage());
        }
    }

    private static void free(Stream stream, String domainName) {
        try {
            stream.free();
        } catch (LibvirtException e) {
            LOG.debug("freeing the console stream of {}: {}", domainName, e.getMessage());
        }
    }

    /**
     * Types {@code bytes} on the console: libvirt's console stream runs both ways, and what is sent here reaches the
     * guest's serial port as if typed. Sends come from the job thread only, while the reader receives on its own;
     * libvirt's client library serialises the two on the connection.
     *
     * @throws IOException when the console is gone (the domain ended) or the connection broke
     */
    void send(byte[] bytes) throws IOException {
        synchronized (sendLock) {
            int off = 0;
            while (off < bytes.length) {
                byte[] rest = off == 0 ? bytes : Arrays.copyOfRange(bytes, off, bytes.length);
                int n;
                try {
                    n = stream.send(rest);
                } catch (LibvirtException e) {
                    throw new IOException("cannot type on the console of " + domainName + ": " + e.getMessage(), e);
                }
                if (n <= 0) throw new IOException("the console of " + domainName + " took no input");
                off += n;
            }
        }
    }

    /**
     * Waits for the reader to reach the end of the console (the domain must be gone for that). The reader alone
     * finishes and frees the stream: a stream is not to be used from two threads at once, so nothing here touches it.
     */
    boolean awaitEnd(long millis) throws InterruptedException {
        reader.join(millis);
        return !reader.isAlive();
    }
}
