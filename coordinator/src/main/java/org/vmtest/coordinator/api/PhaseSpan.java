package org.vmtest.coordinator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.vmtest.protocol.Phase;

/**
 * One phase a job went through; {@code end} is null while the job is in it.
 *
 * @param artifactFetchMillis of a PROVISIONING span, the part spent getting the job's artifacts (downloads, or
 *                            finding them in the worker's cache) before the VM was created; the rest is the boot.
 *                            Null for other phases and for a job that names no artifact; known once the job ended
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record PhaseSpan(Phase name, Instant start, Instant end,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Long artifactFetchMillis) {
    public PhaseSpan {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(start, "start");
    }

    public PhaseSpan(Phase name, Instant start, Instant end) {
        this(name, start, end, null);
    }

    public PhaseSpan closedAt(Instant time) {
        return end != null ? this : new PhaseSpan(name, start, time.isBefore(start) ? start : time, artifactFetchMillis);
    }

    /** {@code phases} with the fetch time on the (last) PROVISIONING span; unchanged for {@code millis} 0. */
    public static List<PhaseSpan> withArtifactFetch(List<PhaseSpan> phases, long millis) {
        if (millis <= 0) return phases;
        List<PhaseSpan> out = new ArrayList<>(phases);
        for (int i = out.size() - 1; i >= 0; i--) {
            PhaseSpan p = out.get(i);
            if (p.name() == Phase.PROVISIONING) {
                out.set(i, new PhaseSpan(p.name(), p.start(), p.end(), millis));
                break;
            }
        }
        return out;
    }
}
