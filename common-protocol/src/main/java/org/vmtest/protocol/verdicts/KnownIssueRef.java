package org.vmtest.protocol.verdicts;

import java.util.Objects;

/** The known issue a failure or finding matched when it was reported: its id and its bug link. */
public record KnownIssueRef(String id, String url) {
    public KnownIssueRef {
        Objects.requireNonNull(id, "id");
        if (url == null) url = "";
    }
}
