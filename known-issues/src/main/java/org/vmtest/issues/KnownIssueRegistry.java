package org.vmtest.issues;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.vmtest.protocol.issues.KnownIssue;
import org.vmtest.protocol.verdicts.KnownIssueRef;

/**
 * The known issues as {@code vmtest.known-issues} last said, for any number of readers at once. Each change
 * builds a new {@link KnownIssueMatcher}, so a lookup never waits and never sees half a change; a new issue
 * applies to the next finding or verdict, of jobs already running too.
 */
public final class KnownIssueRegistry {
    private final Map<String, KnownIssue> issues = new ConcurrentHashMap<>();
    private final AtomicReference<KnownIssueMatcher> matcher = new AtomicReference<>(KnownIssueMatcher.empty());

    public synchronized void put(KnownIssue issue) {
        issues.put(issue.id(), issue);
        matcher.set(KnownIssueMatcher.of(issues.values()));
    }

    public synchronized void remove(String id) {
        if (issues.remove(id) != null) matcher.set(KnownIssueMatcher.of(issues.values()));
    }

    public Optional<KnownIssue> get(String id) {
        return Optional.ofNullable(issues.get(id));
    }

    /** By id. */
    public List<KnownIssue> all() {
        return issues.values().stream().sorted(java.util.Comparator.comparing(KnownIssue::id)).toList();
    }

    public Optional<KnownIssueRef> match(String profile, String title, String signature, Instant now) {
        return matcher.get().match(profile, title, signature, now);
    }
}
