package org.vmtest.worker.artifacts;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.vmtest.protocol.jobs.ArtifactSpec.Compression;
import org.vmtest.worker.artifacts.ArtifactException.Problem;

/**
 * Unpacks a verified download with Apache Commons Compress (gzip; xz through XZ for Java; zstd through zstd-jni).
 * Only verified bytes reach a decoder; what it writes is capped like a download, so a small file that unpacks to
 * terabytes stops at {@code maxArtifactBytes}.
 */
final class Unpacker {
    private static final int BUFFER = 1 << 20;

    private Unpacker() {
    }

    /** @return the unpacked size */
    static long unpack(Compression compression, Path from, Path to, long cap) throws ArtifactException, InterruptedException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(from), BUFFER);
             InputStream in = decoder(compression, raw);
             OutputStream out = Files.newOutputStream(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] buf = new byte[BUFFER];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > cap) {
                    throw new ArtifactException(Problem.TOO_LARGE, "unpacks to more than maxArtifactBytes ("
                            + cap + " bytes); cut off");
                }
                out.write(buf, 0, n);
                if (Thread.interrupted()) throw new InterruptedException("unpacking cancelled");
            }
            return total;
        } catch (InterruptedIOException e) {
            throw new InterruptedException("unpacking cancelled");
        } catch (IOException e) {
            if (Files.exists(to) && isWriteError(e)) {
                throw new ArtifactException(Problem.STORAGE, "cannot write " + to + ": " + e.getMessage(), e);
            }
            throw new ArtifactException(Problem.UNPACK, "not valid " + compression.name().toLowerCase(java.util.Locale.ROOT)
                    + " data: " + e.getMessage(), e);
        }
    }

    private static boolean isWriteError(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("No space left") || m.contains("Read-only file system") || m.contains("Permission denied");
    }

    private static InputStream decoder(Compression compression, InputStream raw) throws IOException {
        return switch (compression) {
            case GZIP -> GzipCompressorInputStream.builder().setInputStream(raw).setDecompressConcatenated(true).get();
            case XZ -> XZCompressorInputStream.builder().setInputStream(raw).setDecompressConcatenated(true).get();
            case ZSTD -> new ZstdCompressorInputStream(raw);
            case NONE -> raw;
        };
    }
}
