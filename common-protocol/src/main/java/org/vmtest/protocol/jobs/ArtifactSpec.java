package org.vmtest.protocol.jobs;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A file a run hands to its jobs by URL, such as the disk image a CI pipeline has just built. Workers download it
 * into their content-addressed cache, check it against {@code sha256} while downloading, and give the verified file
 * to the VM wherever a profile names {@code artifact:NAME} as an image.
 *
 * @param url         where to fetch it; http or https only
 * @param sha256      the SHA-256 of the bytes downloaded (before any decompression), 64 hex digits
 * @param size        the expected size in bytes of the download, or null when unknown
 * @param headers     request headers for the download (such as {@code Authorization}); travel on the jobs topic
 *                    only, never logged, never shown by the API
 * @param compression how the download is compressed; null means: judge by the URL's suffix
 */
public record ArtifactSpec(String url, String sha256, Long size, Map<String, String> headers, Compression compression) {

    /** How a downloaded artifact is unpacked into the cache. */
    public enum Compression { NONE, GZIP, XZ, ZSTD }

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** Artifact names as they appear after {@code artifact:} in a profile and as keys of a run's artifacts. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public ArtifactSpec {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(sha256, "sha256");
        sha256 = sha256.toLowerCase(Locale.ROOT);
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 hex digits, got '" + sha256 + "'");
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("url is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("url must be http or https, got '" + url + "'");
        }
        if (uri.getHost() == null) throw new IllegalArgumentException("url has no host: '" + url + "'");
        if (size != null && size < 0) throw new IllegalArgumentException("size must not be negative, got " + size);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        if (compression == null) compression = compressionOf(uri.getPath());
    }

    /** The compression a URL path's suffix says: {@code .gz}, {@code .xz}, {@code .zst}, else none. */
    public static Compression compressionOf(String path) {
        String p = path == null ? "" : path.toLowerCase(Locale.ROOT);
        if (p.endsWith(".gz")) return Compression.GZIP;
        if (p.endsWith(".xz")) return Compression.XZ;
        if (p.endsWith(".zst")) return Compression.ZSTD;
        return Compression.NONE;
    }

    /** This artifact as the API may show it: without its headers. */
    public ArtifactSpec withoutHeaders() {
        return new ArtifactSpec(url, sha256, size, Map.of(), compression);
    }

    @Override
    public String toString() {
        // Header values are secrets (tokens); a record's default toString would put them in every log line.
        return "ArtifactSpec[url=" + url + ", sha256=" + sha256 + ", size=" + size + ", headers=" + headers.keySet()
                + ", compression=" + compression + "]";
    }
}
