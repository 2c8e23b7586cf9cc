package org.vmtest.protocol.runs;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import org.vmtest.protocol.codec.Versioned;

/**
 * Records on {@code vmtest.run-commands}, keyed by run id: what users asked of a run. Coordinators fold them,
 * with the jobs' lifecycle and verdicts, into the run state on {@code vmtest.runs}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = RunSubmitted.class, name = "RunSubmitted"),
    @JsonSubTypes.Type(value = RunCancelled.class, name = "RunCancelled")
})
public sealed interface RunCommand extends Versioned permits RunSubmitted, RunCancelled {
    String runId();

    Instant time();
}
