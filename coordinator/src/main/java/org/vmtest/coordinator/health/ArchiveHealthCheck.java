package org.vmtest.coordinator.health;

import com.codahale.metrics.health.HealthCheck;
import org.vmtest.coordinator.archive.LogArchive;

/** Unhealthy while the log archive cannot write (a full disk): it retries, and commits nothing until it can. */
public final class ArchiveHealthCheck extends HealthCheck {
    private final LogArchive archive;

    public ArchiveHealthCheck(LogArchive archive) {
        this.archive = archive;
    }

    @Override
    protected Result check() {
        return archive.failure().map(Result::unhealthy).orElseGet(() -> Result.healthy("archive writing"));
    }
}
