package org.vmtest.protocol.jobs;

import java.util.Map;
import java.util.Optional;

/**
 * The rule for a profile's image paths (kernel, initrd, iso, disk): a relative path that stays inside the worker's
 * image directory. QEMU runs as root on a worker host, so a path that leaves the directory ({@code /etc/shadow},
 * {@code ../../x}) would hand a host file to the guest. This is the check on the text of the path, made when a
 * profile is read; the worker checks again on the real path, where a symlink may still lead out.
 *
 * <pre>{@code
 * ImagePath.firstViolation(profile.vm()).ifPresent(v -> { throw new IllegalArgumentException(v.message()); });
 * }</pre>
 */
public final class ImagePath {
    private ImagePath() {
    }

    /** A path that breaks the rule: the field ({@code iso}) and what it said. */
    public record Violation(String field, String path) {
        public String message() {
            return "vm." + field + ": must be a path inside the image directory, not " + (path.isEmpty() ? "''" : path);
        }
    }

    /** The prefix that names one of the run's artifacts instead of a file: {@code vm.disk: artifact:disk}. */
    public static final String ARTIFACT_PREFIX = "artifact:";

    /** The artifact an image field names ({@code artifact:NAME}), or empty for a path in the image directory. */
    public static Optional<String> artifactName(String path) {
        return path != null && path.startsWith(ARTIFACT_PREFIX)
                ? Optional.of(path.substring(ARTIFACT_PREFIX.length()))
                : Optional.empty();
    }

    /** Whether {@code path} is relative, not empty, and has no {@code ..} segment. */
    public static boolean staysInside(String path) {
        if (path.isBlank() || path.startsWith("/") || path.indexOf('\0') >= 0) return false;
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..")) return false;
        }
        return true;
    }

    /**
     * The first image path of {@code vm} that breaks the rule, in the order kernel, initrd, iso, disk. An
     * {@code artifact:NAME} reference is not a path and is checked against the run's artifacts instead.
     */
    public static Optional<Violation> firstViolation(VmSpec vm) {
        for (Map.Entry<String, String> e : vm.imagePaths().entrySet()) {
            if (artifactName(e.getValue()).isPresent()) continue;
            if (!staysInside(e.getValue())) return Optional.of(new Violation(e.getKey(), e.getValue()));
        }
        return Optional.empty();
    }
}
