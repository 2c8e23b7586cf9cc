package org.vmtest.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP server on 127.0.0.1 that serves files the way a CI's artifact store does, for tests of whatever
 * downloads artifacts (the worker's cache, a whole cluster):
 *
 * <pre>{@code
 * try (ArtifactServer server = ArtifactServer.start()) {
 *     URI disk = server.serve("disk.qcow2", TestGuest.dir().resolve("base.qcow2"));
 *     String sha256 = ArtifactServer.sha256(TestGuest.dir().resolve("base.qcow2"));
 *     // ... a job names the disk by that URL and checksum
 *     assertThat(server.requests("disk.qcow2")).isEqualTo(1);
 * }
 * }</pre>
 *
 * <p>It answers {@code GET} with the whole file or, for {@code Range: bytes=N-}, the rest from N (206), counts
 * requests per path, keeps each path's last request headers, and can misbehave on purpose: answer a status
 * ({@link #failWith}), cut a response short ({@link #truncate}), send slowly ({@link #throttle}), stall after
 * some bytes ({@link #stall}), leave out the length ({@link #withoutLength}) or redirect ({@link #redirect}).
 */
public final class ArtifactServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Path> files = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final Map<String, Headers> lastHeaders = new ConcurrentHashMap<>();
    private final Map<String, Status> statuses = new ConcurrentHashMap<>();
    private final Map<String, Truncation> truncations = new ConcurrentHashMap<>();
    private final Map<String, Long> throttles = new ConcurrentHashMap<>();
    private final Map<String, Long> stalls = new ConcurrentHashMap<>();
    private final Map<String, Boolean> chunked = new ConcurrentHashMap<>();
    private final Map<String, URI> redirects = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private record Status(int code, AtomicInteger times) {
    }

    private record Truncation(long afterBytes, AtomicInteger times) {
    }

    private ArtifactServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** A server on a free port of 127.0.0.1; close it when done. */
    public static ArtifactServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            ExecutorService executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "artifact-server");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            ArtifactServer s = new ArtifactServer(server, executor);
            server.createContext("/", s::handle);
            server.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the artifact server", e);
        }
    }

    /** Serves {@code file} at {@code /name}; returns its URL. */
    public URI serve(String name, Path file) {
        files.put(name, file);
        return url(name);
    }

    /** The URL of {@code /name}, served or not (a path never served answers 404). */
    public URI url(String name) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + name);
    }

    /** Requests for {@code name} are sent on to {@code target} (302 with a Location), as a CDN or a store does. */
    public URI redirect(String name, URI target) {
        redirects.put(name, target);
        return url(name);
    }

    /** The next {@code times} requests for {@code name} get {@code status} and no file. */
    public void failWith(String name, int status, int times) {
        statuses.put(name, new Status(status, new AtomicInteger(times)));
    }

    /** The next {@code times} responses for {@code name} announce the whole length but end after {@code bytes}. */
    public void truncate(String name, long bytes, int times) {
        truncations.put(name, new Truncation(bytes, new AtomicInteger(times)));
    }

    /** Sends {@code name} at about {@code bytesPerSecond} from now on. */
    public void throttle(String name, long bytesPerSecond) {
        throttles.put(name, bytesPerSecond);
    }

    /** Responses for {@code name} send {@code bytes} and then nothing more until the client gives up. */
    public void stall(String name, long bytes) {
        stalls.put(name, bytes);
    }

    /** Responses for {@code name} go chunked, without a Content-Length: the client learns the size at the end. */
    public void withoutLength(String name) {
        chunked.put(name, true);
    }

    /** How many requests came for {@code name}. */
    public int requests(String name) {
        AtomicInteger n = requests.get(name);
        return n == null ? 0 : n.get();
    }

    /** The headers of the last request for {@code name}, or null. */
    public Headers lastHeaders(String name) {
        return lastHeaders.get(name);
    }

    /** The SHA-256 of a file as 64 lower-case hex digits, as an artifact's {@code sha256} wants it. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String name = ex.getRequestURI().getPath().substring(1);
            requests.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
            lastHeaders.put(name, ex.getRequestHeaders());
            Status status = statuses.get(name);
            if (status != null && status.times().getAndDecrement() > 0) {
                ex.sendResponseHeaders(status.code(), -1);
                return;
            }
            URI target = redirects.get(name);
            if (target != null) {
                ex.getResponseHeaders().set("Location", target.toString());
                ex.sendResponseHeaders(302, -1);
                return;
            }
            Path file = files.get(name);
            if (file == null || !ex.getRequestMethod().equals("GET")) {
                ex.sendResponseHeaders(file == null ? 404 : 405, -1);
                return;
            }
            long size = Files.size(file);
            long from = 0;
            String range = ex.getRequestHeaders().getFirst("Range");
            Matcher m = range == null ? null : RANGE.matcher(range);
            if (m != null && m.matches()) {
                from = Long.parseLong(m.group(1));
                if (from >= size) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (size - 1) + "/" + size);
            }
            long length = size - from;
            ex.getResponseHeaders().set("Accept-Ranges", "bytes");
            boolean noLength = chunked.containsKey(name);
            ex.sendResponseHeaders(from > 0 ? 206 : 200, noLength ? 0 : length == 0 ? -1 : length);
            long limit = length;
            Truncation cut = truncations.get(name);
            if (cut != null && cut.times().getAndDecrement() > 0) limit = Math.min(limit, cut.afterBytes());
            Long stallAfter = stalls.get(name);
            if (stallAfter != null) limit = Math.min(limit, stallAfter);
            send(file, from, limit, throttles.get(name), ex.getResponseBody());
            if (stallAfter != null) stallUntilClosed(ex);
            // fewer bytes than announced: closing the exchange cuts the connection, as a dying server would
        } catch (IOException e) {
            // the client went away (a cancelled download): nothing to answer
        }
    }

    private static void send(Path file, long from, long limit, Long bytesPerSecond, OutputStream out) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.position(from);
            InputStream in = Channels.newInputStream(ch);
            int chunk = bytesPerSecond == null ? 1 << 20 : (int) Math.max(1, Math.min(1 << 16, bytesPerSecond / 20));
            byte[] buf = new byte[chunk];
            long sent = 0;
            long t0 = System.nanoTime();
            while (sent < limit) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, limit - sent));
                if (n < 0) break;
                out.write(buf, 0, n);
                sent += n;
                if (bytesPerSecond != null) {
                    out.flush();
                    long due = t0 + sent * 1_000_000_000L / bytesPerSecond;
                    long wait = due - System.nanoTime();
                    if (wait > 0) sleep(wait / 1_000_000L);
                }
            }
            out.flush();
        }
    }

    private void stallUntilClosed(HttpExchange ex) {
        // a peer that holds the connection open and sends nothing; ends when the server closes
        while (!closed) sleep(50);
        ex.getResponseBody();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        executor.shutdownNow();
    }
}
