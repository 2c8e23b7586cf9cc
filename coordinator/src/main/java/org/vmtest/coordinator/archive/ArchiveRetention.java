package org.vmtest.coordinator.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deletes a run's archive once nothing in it changed for the retention period. */
public final class ArchiveRetention implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveRetention.class);
    private final ArchiveLayout layout;
    private final Duration retention;
    private final Clock clock;

    public ArchiveRetention(ArchiveLayout layout, Duration retention, Clock clock) {
        this.layout = layout;
        this.retention = retention;
        this.clock = clock;
    }

    @Override
    public void run() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.error("archive retention sweep failed", e);
        }
    }

    /** @return the run directories deleted */
    public List<Path> sweep() {
        if (!Files.isDirectory(layout.root())) return List.of();
        Instant cutoff = clock.instant().minus(retention);
        try (Stream<Path> runs = Files.list(layout.root())) {
            List<Path> old = runs.filter(Files::isDirectory).filter(dir -> lastModified(dir).isBefore(cutoff)).toList();
            old.forEach(ArchiveRetention::delete);
            if (!old.isEmpty()) LOG.info("deleted {} run archive(s) older than {}", old.size(), retention);
            return old;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Instant lastModified(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.map(ArchiveRetention::mtime).max(Comparator.naturalOrder()).orElse(Instant.EPOCH);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Instant mtime(Path p) {
        try {
            FileTime t = Files.getLastModifiedTime(p);
            return t.toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
