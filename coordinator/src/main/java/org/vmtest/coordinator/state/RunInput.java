package org.vmtest.coordinator.state;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.vmtest.protocol.runs.RunCommand;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.verdicts.JobVerdict;

/** Everything the run fold reads, from three topics, in one type (it crosses a repartition topic as JSON). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = RunInput.Command.class, name = "command"),
    @JsonSubTypes.Type(value = RunInput.Lifecycle.class, name = "lifecycle"),
    @JsonSubTypes.Type(value = RunInput.Verdict.class, name = "verdict")
})
public sealed interface RunInput {
    record Command(RunCommand command) implements RunInput {
    }

    /** JobStarted, PhaseChanged, TestFinished or JobFinished: never a Line. */
    record Lifecycle(StreamEvent event) implements RunInput {
    }

    record Verdict(JobVerdict verdict) implements RunInput {
    }
}
