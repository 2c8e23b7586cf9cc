package org.vmtest.coordinator.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventTicketsTest {
    private static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");
    private static final AuthFactory AUTH = new AuthFactory()
            .addToken("ci", "submit-secret", Set.of(Scope.SUBMIT))
            .addToken("viewer", "read-secret", Set.of(Scope.READ));

    private static EventTickets tickets(Instant now) {
        return new EventTickets(new TokenAuthenticator(AUTH), new byte[32], Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aTicketOpensItsRunsEventsReadOnlyEvenWhenIssuedToASubmitToken() {
        EventTickets.Issued issued = tickets(T0).issue(new Caller("ci", Set.of(Scope.SUBMIT)), "r-1");

        assertThat(issued.expiresAt()).isEqualTo(T0.plus(EventTickets.VALIDITY));
        assertThat(tickets(T0.plusSeconds(59)).verify("r-1", issued.ticket())).hasValueSatisfying(caller -> {
            assertThat(caller.name()).isEqualTo("ci");
            assertThat(caller.may(Scope.READ)).isTrue();
            assertThat(caller.may(Scope.SUBMIT)).isFalse();
        });
        assertThat(issued.ticket()).doesNotContain("submit-secret");
    }

    @Test
    void aTicketIsRefusedForAnotherRunAfterItExpiresAndWhenTamperedWith() {
        String ticket = tickets(T0).issue(new Caller("viewer", Set.of(Scope.READ)), "r-1").ticket();

        assertThat(tickets(T0).verify("r-2", ticket)).isEmpty();
        assertThat(tickets(T0.plus(EventTickets.VALIDITY)).verify("r-1", ticket)).isEmpty();
        assertThat(tickets(T0.minus(Duration.ofDays(1))).verify("r-1", ticket)).isPresent();

        String signature = ticket.substring(ticket.indexOf('.'));
        String otherRun = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("r-2\n" + T0.plusSeconds(60).getEpochSecond() + "\nviewer").getBytes());
        assertThat(tickets(T0).verify("r-2", otherRun + signature)).as("payload changed, signature kept").isEmpty();
        String longer = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("r-1\n" + T0.plusSeconds(86_400).getEpochSecond() + "\nviewer").getBytes());
        assertThat(tickets(T0.plusSeconds(120)).verify("r-1", longer + signature)).as("expiry pushed out").isEmpty();
        assertThat(tickets(T0).verify("r-1", "not-a-ticket")).isEmpty();
        assertThat(tickets(T0).verify("r-1", "%%%.###")).isEmpty();
    }

    @Test
    void aTicketNamingAnotherTokenOrSignedWithAnotherTokenIsRefused() {
        EventTickets.Issued viewer = tickets(T0).issue(new Caller("viewer", Set.of(Scope.READ)), "r-1");
        String payload = new String(Base64.getUrlDecoder().decode(viewer.ticket().substring(0, viewer.ticket().indexOf('.'))));
        String asCi = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.replace("viewer", "ci").getBytes())
                + viewer.ticket().substring(viewer.ticket().indexOf('.'));

        assertThat(tickets(T0).verify("r-1", asCi)).isEmpty();
        EventTickets otherTokens = new EventTickets(new TokenAuthenticator(new AuthFactory()
                .addToken("viewer", "another-read-secret", Set.of(Scope.READ))), new byte[32], Clock.fixed(T0, ZoneOffset.UTC));
        assertThat(otherTokens.verify("r-1", viewer.ticket())).as("a coordinator with other tokens").isEmpty();
    }
}
