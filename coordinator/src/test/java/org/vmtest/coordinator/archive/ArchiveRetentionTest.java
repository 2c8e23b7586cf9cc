package org.vmtest.coordinator.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveRetentionTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    @TempDir
    Path root;

    private Path log(String run, String job, Instant modified) throws Exception {
        Path file = root.resolve(run).resolve(job).resolve("console.log");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "a line\n");
        Files.setLastModifiedTime(file, FileTime.from(modified));
        Files.setLastModifiedTime(file.getParent(), FileTime.from(modified));
        return file;
    }

    @Test
    void aRunIsDeletedOnlyWhenNothingInItChangedForTheRetentionPeriod() throws Exception {
        log("r-old", "r-old-1-pass", NOW.minus(Duration.ofDays(15)));
        log("r-old", "r-old-2-panic", NOW.minus(Duration.ofDays(20)));
        // one job of this run still wrote yesterday: the whole run stays
        log("r-mixed", "r-mixed-1-pass", NOW.minus(Duration.ofDays(30)));
        Path recent = log("r-mixed", "r-mixed-2-flood", NOW.minus(Duration.ofDays(1)));
        Path fresh = log("r-new", "r-new-1-pass", NOW.minus(Duration.ofHours(1)));
        // a run directory changes when a job directory is added: age them all, the jobs' files must decide
        for (String run : new String[] {"r-old", "r-mixed", "r-new"}) {
            Files.setLastModifiedTime(root.resolve(run), FileTime.from(NOW.minus(Duration.ofDays(40))));
        }
        ArchiveRetention retention = new ArchiveRetention(new ArchiveLayout(root), Duration.ofDays(14),
                Clock.fixed(NOW, ZoneOffset.UTC));

        assertThat(retention.sweep()).containsExactly(root.resolve("r-old"));

        assertThat(root.resolve("r-old")).doesNotExist();
        assertThat(recent).exists();
        assertThat(root.resolve("r-mixed").resolve("r-mixed-1-pass").resolve("console.log")).exists();
        assertThat(fresh).exists();
        assertThat(retention.sweep()).as("nothing more to delete").isEmpty();
    }

    @Test
    void aMissingArchiveDirectoryIsNothingToDo() {
        ArchiveRetention retention = new ArchiveRetention(new ArchiveLayout(root.resolve("never-created")),
                Duration.ofDays(1), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(retention.sweep()).isEmpty();
    }
}
