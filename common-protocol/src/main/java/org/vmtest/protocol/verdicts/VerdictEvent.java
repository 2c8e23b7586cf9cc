package org.vmtest.protocol.verdicts;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import org.vmtest.protocol.codec.Versioned;

/** Records on {@code vmtest.verdicts}, keyed by run id: the topic CI systems consume. See docs/verdicts-topic.md. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Finding.class, name = "Finding"),
    @JsonSubTypes.Type(value = Thought.class, name = "Thought"),
    @JsonSubTypes.Type(value = JobVerdict.class, name = "JobVerdict"),
    @JsonSubTypes.Type(value = RunVerdict.class, name = "RunVerdict")
})
public sealed interface VerdictEvent extends Versioned permits Finding, Thought, JobVerdict, RunVerdict {
    String runId();

    Instant time();
}
