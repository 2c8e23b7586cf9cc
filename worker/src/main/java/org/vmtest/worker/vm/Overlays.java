package org.vmtest.worker.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Per-job disks: a qcow2 overlay on the profile's base image (so the base is never written), or a blank qcow2 disk
 * for an installer to install onto.
 */
public final class Overlays {
    private Overlays() {
    }

    public static void create(Path base, Path overlay) throws VmStartException {
        if (!Files.isRegularFile(base)) throw new VmStartException("base disk " + base + " does not exist");
        try {
            Files.createDirectories(overlay.getParent());
            Files.deleteIfExists(overlay);
            Process p = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", "-b", base.toAbsolutePath().toString(),
                    "-F", format(base), overlay.toString())
                    .redirectErrorStream(true).start();
            boolean done = p.waitFor(30, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!done) {
                p.destroyForcibly();
                throw new VmStartException("qemu-img create " + overlay + " did not finish in 30 s");
            }
            if (p.exitValue() != 0) {
                throw new VmStartException("qemu-img create " + overlay + " failed (exit " + p.exitValue() + "): " + out);
            }
        } catch (IOException e) {
            throw new VmStartException("cannot create overlay " + overlay + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmStartException("interrupted while creating overlay " + overlay, e);
        }
    }

    /** A blank, sparse qcow2 disk of {@code sizeGiB}: the target of an installer. */
    public static void createBlank(Path disk, int sizeGiB) throws VmStartException {
        try {
            Files.createDirectories(disk.getParent());
            Files.deleteIfExists(disk);
            run(new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), sizeGiB + "G"), disk);
        } catch (IOException e) {
            throw new VmStartException("cannot create blank disk " + disk + ": " + e.getMessage(), e);
        }
    }

    private static void run(ProcessBuilder pb, Path target) throws VmStartException, IOException {
        Process p = pb.redirectErrorStream(true).start();
        try {
            boolean done = p.waitFor(30, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!done) {
                p.destroyForcibly();
                throw new VmStartException("qemu-img create " + target + " did not finish in 30 s");
            }
            if (p.exitValue() != 0) {
                throw new VmStartException("qemu-img create " + target + " failed (exit " + p.exitValue() + "): " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmStartException("interrupted while creating " + target, e);
        }
    }

    /** qcow2 images start with the bytes {@code QFI\xfb}; anything else is taken as raw. */
    static String format(Path base) throws IOException {
        byte[] head = new byte[4];
        try (var in = Files.newInputStream(base)) {
            int n = in.readNBytes(head, 0, 4);
            return n == 4 && head[0] == 'Q' && head[1] == 'F' && head[2] == 'I' && (head[3] & 0xFF) == 0xFB ? "qcow2" : "raw";
        }
    }
}
