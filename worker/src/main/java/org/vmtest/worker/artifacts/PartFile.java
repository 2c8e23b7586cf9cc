package org.vmtest.worker.artifacts;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A download in progress: the bytes so far, on disk under a temporary name, and the SHA-256 of exactly those
 * bytes. A resumed response appends; a server that sends the whole file again starts it over.
 */
final class PartFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final MessageDigest digest;
    private long bytes;

    PartFile(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    Path path() {
        return path;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized void append(ByteBuffer b) throws IOException {
        int n = b.remaining();
        digest.update(b.duplicate());
        while (b.hasRemaining()) channel.write(b);
        bytes += n;
    }

    /** Back to nothing: the server ignored the range (or the file changed) and sends it from the start. */
    synchronized void restart() throws IOException {
        channel.truncate(0);
        channel.position(0);
        digest.reset();
        bytes = 0;
    }

    /** The SHA-256 of the bytes so far, as 64 lower-case hex digits; ends the digest. */
    synchronized String sha256() throws IOException {
        channel.force(false);
        return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    void delete() {
        try {
            channel.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a stray part file is swept at the next start
        }
    }
}
