package org.vmtest.protocol.control;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import org.vmtest.protocol.codec.Versioned;

/** Records on {@code vmtest.control}, keyed by job id: orders for the worker running that job. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = AbortJob.class, name = "AbortJob"),
    @JsonSubTypes.Type(value = CancelJob.class, name = "CancelJob")
})
public sealed interface ControlCommand extends Versioned permits AbortJob, CancelJob {
    String jobId();

    String runId();

    String reason();

    Instant time();
}
