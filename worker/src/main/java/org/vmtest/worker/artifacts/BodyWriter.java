package org.vmtest.worker.artifacts;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Receives one response's body: each buffer goes through the SHA-256 digest and into the part file as it arrives,
 * so the file is hashed once, while it downloads. Over the size cap, the response is cut at once.
 */
final class BodyWriter implements HttpResponse.BodySubscriber<Void> {
    private final PartFile part;
    private final long cap;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private volatile long lastDataNanos = System.nanoTime();
    private boolean dead;

    BodyWriter(PartFile part, long cap) {
        this.part = part;
        this.cap = cap;
    }

    /** A subscriber that takes no body at all: for error statuses and refused responses. */
    static HttpResponse.BodySubscriber<Void> refusing() {
        return new HttpResponse.BodySubscriber<>() {
            private final CompletableFuture<Void> done = new CompletableFuture<>();

            @Override
            public CompletionStage<Void> getBody() {
                return done;
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.cancel();
                done.complete(null);
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
            }

            @Override
            public void onError(Throwable t) {
                done.complete(null);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        };
    }

    @Override
    public CompletionStage<Void> getBody() {
        return done;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        synchronized (part) {
            subscription = s;
            if (dead) {
                s.cancel();
                return;
            }
        }
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        synchronized (part) {
            if (dead) return;
            try {
                for (ByteBuffer b : buffers) {
                    if (part.bytes() + b.remaining() > cap) {
                        fail(new ArtifactException(ArtifactException.Problem.TOO_LARGE, "more than maxArtifactBytes ("
                                + cap + " bytes) downloaded; cut off"));
                        return;
                    }
                    part.append(b);
                }
            } catch (IOException e) {
                fail(new ArtifactException(ArtifactException.Problem.STORAGE, "cannot write " + part.path() + ": "
                        + e.getMessage(), e));
                return;
            }
        }
        lastDataNanos = System.nanoTime();
        subscription.request(1);
    }

    @Override
    public void onError(Throwable t) {
        done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        done.complete(null);
    }

    long lastDataNanos() {
        return lastDataNanos;
    }

    /** Stops taking bytes (a stall, a cancelled download): nothing this response sends later reaches the file. */
    void cancel(ArtifactException why) {
        synchronized (part) {
            fail(why);
        }
    }

    private void fail(ArtifactException why) {
        dead = true;
        Flow.Subscription s = subscription;
        if (s != null) s.cancel();
        done.completeExceptionally(why);
    }
}
