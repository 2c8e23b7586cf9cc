package org.vmtest.worker.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;
import org.vmtest.protocol.Verdict;
import org.vmtest.protocol.stream.JobFinished;
import org.vmtest.protocol.stream.Line;
import org.vmtest.protocol.stream.StreamEvent;
import org.vmtest.protocol.stream.TestFinished;

class SecretMaskTest {

    @Test
    void everySecretValueIsMaskedTheLongestFirst() {
        SecretMask mask = new SecretMask(List.of("tok", "token-123", ""));
        assertThat(mask.apply("curl -H 'Authorization: Bearer token-123' && echo tok"))
                .isEqualTo("curl -H 'Authorization: Bearer ***' && echo ***");
        assertThat(mask.apply(null)).isNull();
        assertThat(SecretMask.NONE.apply("token-123")).isEqualTo("token-123");
    }

    @Test
    void aJobStreamMasksItsLinesAndTheReasonsOfItsEvents() {
        List<StreamEvent> sent = new ArrayList<>();
        JobStream stream = new JobStream((job, event) -> sent.add(event), "j-1", "r-1", 1,
                InstantSource.fixed(Instant.EPOCH));
        stream.maskSecrets(new SecretMask(List.of("s3cr3t")));

        stream.worker("$ login --password s3cr3t");
        LineAssembler ssh = stream.assembler(LineSource.SSH_STDOUT);
        byte[] out = "password is s3cr3t\n".getBytes();
        ssh.feed(out, 0, out.length);
        stream.event(new TestFinished("j-1", 1, Instant.EPOCH, "r-1", "t", false, 1, 5, "'echo s3cr3t' exit 1",
                "s3cr3t"));
        stream.event(new JobFinished("j-1", 1, Instant.EPOCH, "r-1", Verdict.FAILED, "step 'use s3cr3t' failed",
                Phase.TESTING, Map.of(), "w", 0));

        assertThat(sent).hasSize(4);
        assertThat(((Line) sent.get(0)).text()).isEqualTo("$ login --password ***");
        assertThat(((Line) sent.get(1)).text()).isEqualTo("password is ***");
        TestFinished test = (TestFinished) sent.get(2);
        assertThat(test.reason()).isEqualTo("'echo ***' exit 1");
        assertThat(test.outputTail()).isEqualTo("***");
        assertThat(((JobFinished) sent.get(3)).reason()).isEqualTo("step 'use ***' failed");
        assertThat(sent.toString()).doesNotContain("s3cr3t");
    }
}
