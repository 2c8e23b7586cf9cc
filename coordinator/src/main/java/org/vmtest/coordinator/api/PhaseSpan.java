package org.vmtest.coordinator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Objects;
import org.vmtest.protocol.Phase;

/** One phase a job went through; {@code end} is null while the job is in it. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record PhaseSpan(Phase name, Instant start, Instant end) {
    public PhaseSpan {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(start, "start");
    }

    public PhaseSpan closedAt(Instant time) {
        return end != null ? this : new PhaseSpan(name, start, time.isBefore(start) ? start : time);
    }
}
