package org.vmtest.coordinator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vmtest.coordinator.api.PutKnownIssue;
import org.vmtest.protocol.issues.KnownIssue;

class KnownIssueValidationTest {
    private static final Instant NOW = Instant.parse("2030-01-01T10:00:00Z");

    private static PutKnownIssue request(String signature, String regex, String url) {
        return new PutKnownIssue(new PutKnownIssue.Match(signature, regex), List.of("panic"), url, "note", null);
    }

    @Test
    void aSignatureIssueIsKeptAsGiven() {
        KnownIssue issue = KnownIssueService.validated("bug-1", request("5c0e8d1f2a9b", null, "https://bugs.example/1"), NOW);

        assertThat(issue.match().signature()).isEqualTo("5c0e8d1f2a9b");
        assertThat(issue.profiles()).containsExactly("panic");
        assertThat(issue.updatedAt()).isEqualTo(NOW);
    }

    @Test
    void eachBadFieldIsRefusedByName() {
        assertThatThrownBy(() -> KnownIssueService.validated("bug-1", request("a", "b", ""), NOW))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("match"));
        assertThatThrownBy(() -> KnownIssueService.validated("bug-1", request(null, null, ""), NOW))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("match"));
        assertThatThrownBy(() -> KnownIssueService.validated("bug-1", request(null, "(x", ""), NOW))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("match.titleRegex"));
        assertThatThrownBy(() -> KnownIssueService.validated("bug-1", request(null, "(a|aa)+$", ""), NOW))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.field()).isEqualTo("match.titleRegex");
                    assertThat(e.getMessage()).contains("refused");
                });
        assertThatThrownBy(() -> KnownIssueService.validated("bug-1", request("s", null, "javascript:alert(1)"), NOW))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("url"));
        assertThatThrownBy(() -> KnownIssueService.validated("bad id/..", request("s", null, ""), NOW))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("id"));
    }
}
