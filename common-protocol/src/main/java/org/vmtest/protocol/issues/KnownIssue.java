package org.vmtest.protocol.issues;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.vmtest.protocol.codec.Versioned;

/**
 * A failure someone already knows about, with the bug that tracks it. Kept on the compacted
 * {@code vmtest.known-issues} topic keyed by {@code id}; a tombstone removes it. A failure whose title or signature
 * it matches carries a {@link org.vmtest.protocol.verdicts.KnownIssueRef} in its verdict.
 *
 * @param profiles the profiles it applies to; empty for every profile
 * @param expires  after this time it matches nothing; null for never
 * @param updatedAt when it was last written
 */
public record KnownIssue(String id, KnownIssueMatch match, List<String> profiles, String url, String note,
                         Instant expires, Instant updatedAt) implements Versioned {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public KnownIssue {
        Objects.requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) throw new IllegalArgumentException("id must match " + ID.pattern() + ", got '" + id + "'");
        Objects.requireNonNull(match, "match");
        profiles = profiles == null ? List.of() : List.copyOf(profiles);
        if (url == null) url = "";
        if (note == null) note = "";
    }

    public static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** Whether it still matches anything at {@code now}. */
    public boolean activeAt(Instant now) {
        return expires == null || now.isBefore(expires);
    }
}
