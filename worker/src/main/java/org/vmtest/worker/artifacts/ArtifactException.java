package org.vmtest.worker.artifacts;

/**
 * An artifact could not be had: the job ends ERROR (an infrastructure problem, not the product failing) with this
 * message, which names the artifact and what went wrong. The message never holds a request header's value.
 */
public final class ArtifactException extends Exception {
    /** What went wrong; decides whether another worker could do better. */
    public enum Problem {
        /** The URL's host (or a redirect's) is not in {@code artifactHosts}. */
        HOST_NOT_ALLOWED(false),
        /** The server answered an error status (after the retries, for a transient one). */
        HTTP_STATUS(true),
        /** The bytes downloaded do not have the run's sha256: the artifact itself is wrong. */
        CHECKSUM_MISMATCH(false),
        /** The download is not as long as the run's {@code size} says. */
        SIZE_MISMATCH(false),
        /** Over {@code maxArtifactBytes}, downloaded or unpacked. */
        TOO_LARGE(false),
        /** Not fetched within the job's provisioning time. */
        TIMEOUT(true),
        /** The connection failed or stalled, again after the retries. */
        TRANSFER(true),
        /** The verified download is not valid gzip/xz/zstd data. */
        UNPACK(false),
        /** This worker's disk refused (full, unwritable). */
        STORAGE(true);

        private final boolean hostSpecific;

        Problem(boolean hostSpecific) {
            this.hostSpecific = hostSpecific;
        }
    }

    private final Problem problem;

    public ArtifactException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public ArtifactException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    /**
     * Whether another worker might succeed where this one failed: a network or disk problem of this host may be,
     * a wrong checksum or an oversized artifact is the same everywhere.
     */
    public boolean mayRetryElsewhere() {
        return problem.hostSpecific;
    }

    /** The same problem, its message prefixed with the artifact's name as the job's profile calls it. */
    ArtifactException named(String name) {
        return new ArtifactException(problem, "artifact " + name + ": " + getMessage(), this);
    }
}
