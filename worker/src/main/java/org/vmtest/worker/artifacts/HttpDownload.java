package org.vmtest.worker.artifacts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vmtest.protocol.jobs.ArtifactSpec;
import org.vmtest.worker.artifacts.ArtifactException.Problem;

/**
 * Downloads one artifact into a {@link PartFile} and checks it: the size cap while it comes in, then the run's size
 * and sha256. A connection that fails or stalls, and a 5xx, 408 or 429, are tried again after a pause that doubles,
 * asking for the rest only ({@code Range}, guarded by {@code If-Range} so a file changed meanwhile comes whole).
 * Redirects are followed by hand, each target checked against the allowed hosts; the request headers go to the
 * URL's own host only, never to another host a redirect names.
 */
final class HttpDownload {
    private static final Logger LOG = LoggerFactory.getLogger(HttpDownload.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final int MAX_REDIRECTS = 5;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final long WAIT_SLICE_MILLIS = 200;

    private final HttpClient client;
    private final ArtifactCacheSettings settings;
    private final HostAllowList hosts;
    private final ArtifactSpec spec;
    private final PartFile part;
    private final Progress progress;
    private volatile long announcedTotal = -1;
    private volatile String validator;

    HttpDownload(HttpClient client, ArtifactCacheSettings settings, HostAllowList hosts, ArtifactSpec spec,
                 PartFile part, Progress progress) {
        this.client = client;
        this.settings = settings;
        this.hosts = hosts;
        this.spec = spec;
        this.part = part;
        this.progress = progress;
    }

    /** Told the byte count so far, a few times a second, on the thread that runs the download. */
    interface Progress {
        /** @param total the whole length the server announced, or -1 while unknown */
        void bytes(long soFar, long total);
    }

    /** Fetches until the file is whole and verified; the part file then holds exactly the artifact's bytes. */
    void run() throws ArtifactException, InterruptedException {
        URI url = URI.create(spec.url());
        int failures = 0;
        while (true) {
            ArtifactException transientFailure;
            try {
                if (attempt(url)) break;
                continue;
            } catch (Transient t) {
                transientFailure = t.failure;
            }
            failures++;
            if (failures > settings.retries()) {
                throw new ArtifactException(transientFailure.problem(), transientFailure.getMessage() + " (gave up after "
                        + failures + " attempts)", transientFailure);
            }
            long backoff = Math.min(settings.firstBackoff().toMillis() << Math.min(failures - 1, 20),
                    MAX_BACKOFF.toMillis());
            LOG.warn("artifact {}: {}; trying again in {} ms from byte {}", Urls.safe(url),
                    transientFailure.getMessage(), backoff, part.bytes());
            Thread.sleep(backoff);
        }
        verify();
    }

    /** A failure worth another try. */
    private static final class Transient extends Exception {
        final ArtifactException failure;

        Transient(Problem problem, String message) {
            super(message, null, false, false);
            this.failure = new ArtifactException(problem, message);
        }
    }

    /** One request, following redirects. @return true when the body is whole; false to ask again at once. */
    private boolean attempt(URI url) throws ArtifactException, InterruptedException, Transient {
        URI target = url;
        for (int hop = 0; ; hop++) {
            hosts.check(target);
            boolean ownHost = sameOrigin(url, target);
            HttpRequest request = request(target, ownHost);
            BodyWriter writer = new BodyWriter(part, settings.maxArtifactBytes());
            Response seen = new Response();
            CompletableFuture<HttpResponse<Void>> call =
                    client.sendAsync(request, info -> subscriberFor(info, writer, seen));
            HttpResponse<Void> response = await(call, writer, target);
            int status = response.statusCode();
            if (status >= 300 && status < 400 && status != 304) {
                Optional<String> location = response.headers().firstValue("Location");
                if (location.isEmpty()) throw httpError(status, target);
                if (hop >= MAX_REDIRECTS) {
                    throw new ArtifactException(Problem.HTTP_STATUS, "more than " + MAX_REDIRECTS + " redirects from "
                            + Urls.safe(url));
                }
                target = target.resolve(location.get());
                continue;
            }
            if (seen.restartAsked) return false;
            if (status == 200 || status == 206) {
                long total = announcedTotal;
                if (total >= 0 && part.bytes() < total) {
                    throw new Transient(Problem.TRANSFER, "the connection ended after " + part.bytes() + " of "
                            + total + " bytes");
                }
                return true;
            }
            if (status == 416 && part.bytes() > 0) {
                restart();
                return false;
            }
            if (status == 408 || status == 429 || status >= 500) {
                throw new Transient(Problem.HTTP_STATUS, "HTTP " + status + " from " + Urls.safe(target));
            }
            throw httpError(status, target);
        }
    }

    private void restart() throws ArtifactException {
        try {
            part.restart();
        } catch (IOException e) {
            throw new ArtifactException(Problem.STORAGE, "cannot write " + part.path() + ": " + e.getMessage(), e);
        }
    }

    private static ArtifactException httpError(int status, URI target) {
        return new ArtifactException(Problem.HTTP_STATUS, "HTTP " + status + " from " + Urls.safe(target));
    }

    private HttpRequest request(URI target, boolean ownHost) throws ArtifactException {
        HttpRequest.Builder b = HttpRequest.newBuilder(target).GET().timeout(settings.stallTimeout());
        if (ownHost) {
            for (Map.Entry<String, String> h : spec.headers().entrySet()) {
                try {
                    b.header(h.getKey(), h.getValue());
                } catch (IllegalArgumentException e) {
                    // the JDK's message names the header, never its value
                    throw new ArtifactException(Problem.HTTP_STATUS, "request header " + h.getKey()
                            + " cannot be sent: it is set by the HTTP client itself or not a valid header");
                }
            }
        }
        long have = part.bytes();
        if (have > 0) {
            b.header("Range", "bytes=" + have + "-");
            if (validator != null) b.header("If-Range", validator);
        }
        return b.build();
    }

    /** What the response's head said that the body subscriber could not throw. */
    private static final class Response {
        boolean restartAsked;
    }

    /** Decides from the status and head what to do with the body; runs on the client's thread. */
    private HttpResponse.BodySubscriber<Void> subscriberFor(HttpResponse.ResponseInfo info, BodyWriter writer,
                                                            Response seen) {
        int status = info.statusCode();
        try {
            if (status == 200) {
                if (part.bytes() > 0) part.restart();
                OptionalLong length = info.headers().firstValueAsLong("Content-Length");
                announcedTotal = length.isPresent() ? length.getAsLong() : -1;
                validator = info.headers().firstValue("ETag").filter(v -> !v.startsWith("W/"))
                        .or(() -> info.headers().firstValue("Last-Modified")).orElse(null);
            } else if (status == 206) {
                Matcher m = CONTENT_RANGE.matcher(info.headers().firstValue("Content-Range").orElse(""));
                if (!m.matches() || Long.parseLong(m.group(1)) != part.bytes()) {
                    // not the rest we asked for: start over without a range
                    part.restart();
                    seen.restartAsked = true;
                    return BodyWriter.refusing();
                }
                announcedTotal = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            } else {
                return BodyWriter.refusing();
            }
        } catch (IOException e) {
            writer.cancel(new ArtifactException(Problem.STORAGE, "cannot write " + part.path() + ": " + e.getMessage()));
            return writer;
        }
        long total = announcedTotal;
        if (total > settings.maxArtifactBytes()) {
            writer.cancel(new ArtifactException(Problem.TOO_LARGE, "the server announces " + total
                    + " bytes, more than maxArtifactBytes (" + settings.maxArtifactBytes() + ")"));
        } else if (total >= 0 && spec.size() != null && total != spec.size()) {
            writer.cancel(new ArtifactException(Problem.SIZE_MISMATCH, "the server announces " + total
                    + " bytes, the run says " + spec.size()));
        }
        return writer;
    }

    /** Waits for the response, cutting it when no byte came for the stall timeout. */
    private HttpResponse<Void> await(CompletableFuture<HttpResponse<Void>> call, BodyWriter writer, URI target)
            throws ArtifactException, InterruptedException, Transient {
        long stallNanos = settings.stallTimeout().toNanos();
        long lastReported = -1;
        try {
            while (true) {
                try {
                    return call.get(WAIT_SLICE_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    long now = part.bytes();
                    if (now != lastReported) {
                        progress.bytes(now, announcedTotal);
                        lastReported = now;
                    }
                    if (System.nanoTime() - writer.lastDataNanos() > stallNanos) {
                        writer.cancel(new ArtifactException(Problem.TRANSFER, "stalled"));
                        call.cancel(true);
                        throw new Transient(Problem.TRANSFER, "no data for "
                                + Sizes.seconds(settings.stallTimeout().toNanos()) + " from " + Urls.safe(target));
                    }
                }
            }
        } catch (InterruptedException e) {
            writer.cancel(new ArtifactException(Problem.TRANSFER, "cancelled"));
            call.cancel(true);
            throw e;
        } catch (CancellationException e) {
            throw new Transient(Problem.TRANSFER, "request cancelled");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof IOException && cause.getCause() instanceof ArtifactException) {
                cause = cause.getCause();
            }
            if (cause instanceof ArtifactException a) throw a;
            if (cause instanceof java.net.http.HttpTimeoutException) {
                throw new Transient(Problem.TRANSFER, "no answer within " + Sizes.seconds(settings.stallTimeout().toNanos())
                        + " from " + Urls.safe(target));
            }
            throw new Transient(Problem.TRANSFER, "connection to " + Urls.safe(target) + " failed after "
                    + part.bytes() + " bytes: " + cause);
        } finally {
            progress.bytes(part.bytes(), announcedTotal);
        }
    }

    private void verify() throws ArtifactException {
        long size = part.bytes();
        if (spec.size() != null && size != spec.size()) {
            throw new ArtifactException(Problem.SIZE_MISMATCH, size + " bytes downloaded, the run says " + spec.size());
        }
        String actual;
        try {
            actual = part.sha256();
        } catch (IOException e) {
            throw new ArtifactException(Problem.STORAGE, "cannot write " + part.path() + ": " + e.getMessage(), e);
        }
        if (!actual.equals(spec.sha256())) {
            throw new ArtifactException(Problem.CHECKSUM_MISMATCH, "sha256 mismatch: expected " + spec.sha256()
                    + ", downloaded " + size + " bytes with sha256 " + actual + " from " + Urls.safe(URI.create(spec.url())));
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort()
                && a.getScheme().equalsIgnoreCase(b.getScheme());
    }
}
