package org.vmtest.coordinator.archive;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the archive keeps a job's logs: {@code <archiveDir>/<runId>/<jobId>/<log>}. Ids come from Kafka records
 * and URLs, so only plain ids are accepted and every path is checked to stay inside the archive.
 */
public final class ArchiveLayout {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private final Path root;

    public ArchiveLayout(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public static boolean isPlainId(String id) {
        return id != null && ID.matcher(id).matches() && !id.contains("..");
    }

    public Optional<Path> runDir(String runId) {
        return isPlainId(runId) ? inside(root.resolve(runId)) : Optional.empty();
    }

    public Optional<Path> jobDir(String runId, String jobId) {
        if (!isPlainId(runId) || !isPlainId(jobId)) return Optional.empty();
        return inside(root.resolve(runId).resolve(jobId));
    }

    public Optional<Path> log(String runId, String jobId, LogName name) {
        return jobDir(runId, jobId).flatMap(dir -> inside(dir.resolve(name.fileName())));
    }

    private Optional<Path> inside(Path p) {
        Path normal = p.toAbsolutePath().normalize();
        return normal.startsWith(root) && !normal.equals(root) ? Optional.of(normal) : Optional.empty();
    }
}
