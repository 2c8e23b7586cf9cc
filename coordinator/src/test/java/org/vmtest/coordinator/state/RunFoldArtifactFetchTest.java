package org.vmtest.coordinator.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vmtest.coordinator.api.Job;
import org.vmtest.coordinator.api.Run;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.codec.Json;
import org.vmtest.protocol.runs.RunSubmitted;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.JobStarted;
import org.vmtest.protocol.stream.PhaseChanged;

/** The phase timeline shows the artifact fetch apart from the boot within PROVISIONING. */
class RunFoldArtifactFetchTest {
    private static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");

    private static Job fold(long fetchMillis) {
        Run run = RunFold.empty("r1");
        for (RunInput input : List.of(
                new RunInput.Command(new RunSubmitted("r1", T0, List.of(new RunSubmitted.JobRef("j1", "ci")), Map.of())),
                new RunInput.Lifecycle(new JobStarted("j1", 1, T0.plusSeconds(1), "r1", "ci", "w1", "d", "tcg",
                        Map.of(), List.of())),
                new RunInput.Lifecycle(new PhaseChanged("j1", 1, T0.plusSeconds(13), "r1", Phase.TESTING)),
                new RunInput.Lifecycle(new JobFinished("j1", 1, T0.plusSeconds(20), "r1", Verdict.PASSED, "",
                        Phase.TESTING, Map.of(), "w1", fetchMillis)))) {
            run = RunFold.apply(run, input).run();
        }
        return run.jobs().get(0);
    }

    @Test
    void theFetchTimeOfTheJobFinishedGoesOnItsProvisioningSpan() {
        Job job = fold(4100);

        assertThat(job.phases()).extracting(p -> p.name()).containsExactly(Phase.PROVISIONING, Phase.TESTING);
        assertThat(job.phases().get(0).artifactFetchMillis()).isEqualTo(4100L);
        assertThat(job.phases().get(1).artifactFetchMillis()).isNull();
    }

    @Test
    void aJobWithoutArtifactsShowsNoFetchTimeAndTheApiLeavesTheFieldOut() throws Exception {
        Job job = fold(0);

        assertThat(job.phases()).allSatisfy(p -> assertThat(p.artifactFetchMillis()).isNull());
        ObjectMapper json = Json.mapper();
        JsonNode provisioning = json.valueToTree(job).get("phases").get(0);
        assertThat(provisioning.has("artifactFetchMillis")).isFalse();
        JsonNode fetched = json.valueToTree(fold(4100)).get("phases").get(0);
        assertThat(fetched.get("artifactFetchMillis").asLong()).isEqualTo(4100);
    }
}
