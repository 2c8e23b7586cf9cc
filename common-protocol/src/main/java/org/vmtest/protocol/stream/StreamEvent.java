package org.vmtest.protocol.stream;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import org.vmtest.protocol.codec.Versioned;

/**
 * Records on {@code vmtest.stream}, keyed by job id so that a job's lines and lifecycle events stay in order
 * on one partition. {@code attempt} tells lines of a lost worker's attempt from those of its successor.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Line.class, name = "Line"),
    @JsonSubTypes.Type(value = JobStarted.class, name = "JobStarted"),
    @JsonSubTypes.Type(value = PhaseChanged.class, name = "PhaseChanged"),
    @JsonSubTypes.Type(value = TestFinished.class, name = "TestFinished"),
    @JsonSubTypes.Type(value = JobFinished.class, name = "JobFinished")
})
public sealed interface StreamEvent extends Versioned
        permits Line, JobStarted, PhaseChanged, TestFinished, JobFinished {
    String jobId();

    int attempt();

    Instant time();
}
