package org.vmtest.issues;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.vmtest.protocol.issues.KnownIssue;
import org.vmtest.protocol.verdicts.KnownIssueRef;

/**
 * One immutable snapshot of the known-issue registry, its title regexes compiled once. Matching runs on findings
 * and verdicts, never on every line. Issues are tried in id order, so two that match the same failure always give
 * the same answer.
 */
public final class KnownIssueMatcher {
    private static final KnownIssueMatcher EMPTY = new KnownIssueMatcher(List.of());

    private final List<Compiled> issues;

    private KnownIssueMatcher(List<Compiled> issues) {
        this.issues = issues;
    }

    public static KnownIssueMatcher empty() {
        return EMPTY;
    }

    /** Issues whose regex does not compile are left out: the API refuses them, so only a hand-written record has one. */
    public static KnownIssueMatcher of(Collection<KnownIssue> known) {
        return new KnownIssueMatcher(known.stream()
                .sorted(Comparator.comparing(KnownIssue::id))
                .flatMap(i -> Compiled.of(i).stream())
                .toList());
    }

    /** The first issue that matches a failure of {@code profile} with this title or signature at {@code now}. */
    public Optional<KnownIssueRef> match(String profile, String title, String signature, Instant now) {
        for (Compiled c : issues) {
            if (c.matches(profile, title, signature, now)) return Optional.of(new KnownIssueRef(c.issue.id(), c.issue.url()));
        }
        return Optional.empty();
    }

    public boolean isEmpty() {
        return issues.isEmpty();
    }

    private record Compiled(KnownIssue issue, Pattern titleRegex) {
        static Optional<Compiled> of(KnownIssue issue) {
            String regex = issue.match().titleRegex();
            try {
                return Optional.of(new Compiled(issue, regex == null ? null : Pattern.compile(regex)));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }

        boolean matches(String profile, String title, String signature, Instant now) {
            if (!issue.activeAt(now)) return false;
            if (!issue.profiles().isEmpty() && !issue.profiles().contains(profile)) return false;
            if (titleRegex == null) return issue.match().signature().equals(signature);
            return title != null && titleRegex.matcher(title).find();
        }
    }
}
