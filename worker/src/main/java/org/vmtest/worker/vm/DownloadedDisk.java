package org.vmtest.worker.vm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A disk image that came from a URL is not trusted like the image directory: a qcow2 file may name a backing file
 * or an external data file, which QEMU (root on the worker host) would open, so that a guest could read any file of
 * the host. Such an image is refused; a raw image (or anything not qcow2, which the overlay takes as raw) names no
 * other file.
 */
final class DownloadedDisk {
    private static final int QCOW2_MAGIC = 0x514649fb;
    /** qcow2 v3 incompatible feature bit 2: the guest data lives in an external file. */
    private static final long EXTERNAL_DATA_FILE = 1L << 2;

    private DownloadedDisk() {
    }

    static void check(Path image, String field, String artifact) throws VmStartException {
        ByteBuffer head = ByteBuffer.allocate(80);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            while (head.hasRemaining() && ch.read(head) > 0) {
                // read the header
            }
        } catch (IOException e) {
            throw new VmStartException("vm." + field + ": cannot read artifact " + artifact + ": " + e.getMessage(), e);
        }
        head.flip();
        if (head.remaining() < 72 || head.getInt(0) != QCOW2_MAGIC) return;
        int version = head.getInt(4);
        if (head.getLong(8) != 0) {
            throw refused(field, artifact, "names a backing file");
        }
        if (version >= 3 && head.remaining() >= 80 && (head.getLong(72) & EXTERNAL_DATA_FILE) != 0) {
            throw refused(field, artifact, "keeps its data in an external file");
        }
    }

    private static VmStartException refused(String field, String artifact, String why) {
        return new VmStartException("vm." + field + ": artifact " + artifact + " is a qcow2 image that " + why
                + ", which QEMU would open on the worker host; flatten it first (qemu-img convert -O qcow2)", null,
                false);
    }
}
