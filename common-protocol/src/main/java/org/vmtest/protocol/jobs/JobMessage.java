package org.vmtest.protocol.jobs;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.vmtest.protocol.codec.Versioned;

/** Records on {@code vmtest.jobs}, keyed by job id. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = JobRequested.class, name = "JobRequested")})
public sealed interface JobMessage extends Versioned permits JobRequested {
    String jobId();
}
