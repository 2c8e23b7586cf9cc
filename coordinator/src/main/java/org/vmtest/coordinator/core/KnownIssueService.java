package org.vmtest.coordinator.core;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.vmtest.issues.KnownIssueRegistry;
import org.vmtest.regex.RegexSafety;
import org.vmtest.coordinator.api.PutKnownIssue;
import org.vmtest.coordinator.state.InitialLoad;
import org.vmtest.protocol.codec.JsonSerde;
import org.vmtest.protocol.issues.KnownIssue;
import org.vmtest.protocol.issues.KnownIssueMatch;
import org.vmtest.protocol.kafka.Topics;

/**
 * The known-issue registry behind the API: checks a known issue as the analyzer will run it, writes it to
 * {@code vmtest.known-issues} (a tombstone to remove it) and serves what this coordinator read from there.
 */
public final class KnownIssueService {
    private static final JsonSerde<KnownIssue> CODEC = JsonSerde.of(KnownIssue.class);

    private final KnownIssueRegistry registry;
    private final RunPublisher publisher;
    private final InitialLoad initialLoad;
    private final Topics topics;
    private final Clock clock;

    public KnownIssueService(KnownIssueRegistry registry, RunPublisher publisher, InitialLoad initialLoad,
                             Topics topics, Clock clock) {
        this.registry = registry;
        this.publisher = publisher;
        this.initialLoad = initialLoad;
        this.topics = topics;
        this.clock = clock;
    }

    public List<KnownIssue> list() {
        awaitLoaded();
        return registry.all();
    }

    public Optional<KnownIssue> get(String id) {
        awaitLoaded();
        return registry.get(id);
    }

    /** Creates or replaces it; it applies to the next finding and verdict of every job, running ones too. */
    public KnownIssue put(String id, PutKnownIssue request) {
        KnownIssue issue = validated(id, request, clock.instant());
        publisher.publish(List.of(new ProducerRecord<>(topics.knownIssues(), id, CODEC.encode(issue))));
        registry.put(issue); // a GET right after the PUT sees it; the topic says the same a moment later
        return issue;
    }

    /** @return whether it existed */
    public boolean delete(String id) {
        awaitLoaded();
        if (registry.get(id).isEmpty()) return false;
        publisher.publish(List.of(new ProducerRecord<>(topics.knownIssues(), id, null)));
        registry.remove(id);
        return true;
    }

    static KnownIssue validated(String id, PutKnownIssue r, Instant now) {
        if (!KnownIssue.validId(id)) {
            throw ApiException.badRequest("id '" + id + "': letters, digits, '.', '_' or '-', at most 128", "id");
        }
        PutKnownIssue.Match m = r.match();
        boolean hasSignature = m.signature() != null && !m.signature().isBlank();
        boolean hasRegex = m.titleRegex() != null && !m.titleRegex().isEmpty();
        if (hasSignature == hasRegex) {
            throw ApiException.badRequest("match needs exactly one of signature or titleRegex", "match");
        }
        if (hasRegex) {
            RegexSafety.problem("match.titleRegex", m.titleRegex()).ifPresent(p -> {
                throw ApiException.badRequest(p, "match.titleRegex");
            });
        }
        String url = r.url() == null ? "" : r.url().strip();
        if (!url.isEmpty() && !httpUrl(url)) {
            throw ApiException.badRequest("url must be an http or https URL, got '" + url + "'", "url");
        }
        List<String> profiles = r.profiles() == null ? List.of() : r.profiles();
        if (profiles.stream().anyMatch(p -> p == null || p.isBlank())) {
            throw ApiException.badRequest("profiles must not hold blank names", "profiles");
        }
        KnownIssueMatch match = hasRegex ? KnownIssueMatch.titleRegex(m.titleRegex())
                : KnownIssueMatch.signature(m.signature().strip());
        return new KnownIssue(id, match, profiles, url, r.note(), r.expires(), now);
    }

    private static boolean httpUrl(String url) {
        try {
            URI uri = URI.create(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void awaitLoaded() {
        if (!initialLoad.awaitForRequest()) {
            throw ApiException.stillReading("the known issues", initialLoad.progress());
        }
    }
}
