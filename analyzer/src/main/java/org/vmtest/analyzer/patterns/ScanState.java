package org.vmtest.analyzer.patterns;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.vmtest.protocol.LineSource;
import org.vmtest.protocol.Phase;

/**
 * Everything a {@link JobScanner} remembers about one job, so that a Kafka Streams state store can hold it (as
 * JSON through {@code Json.mapper()}). Bounded: the last {@value #CONTEXT_LINES} lines, one open report of at most
 * its {@code maxLines}, and at most {@value #MAX_SIGNATURES} problem signatures already reported.
 */
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
@JsonIgnoreProperties(ignoreUnknown = true)
public final class ScanState {
    static final int CONTEXT_LINES = 20;
    static final int MAX_SIGNATURES = 512;
    /** Lines after a critical report during which another report is the same crash going on. */
    static final int AFTERMATH_LINES = 100;

    /** The last lines seen, oldest first. */
    ArrayDeque<String> recent = new ArrayDeque<>();
    /** The multi-line report being collected, or null. */
    OpenReport open;
    /** Signatures of problems already reported: a repeat adds nothing. */
    LinkedHashSet<String> seen = new LinkedHashSet<>();
    /** Lines left during which new reports are absorbed into the crash that just ended. */
    int aftermath;
    long lines;
    /** Kernel boot banners seen in the job. */
    int boots;
    /** No crash and no orderly stop since the last boot banner: another banner now means an unexpected reboot. */
    boolean quietSinceBoot;

    public static ScanState empty() {
        return new ScanState();
    }

    /** True while a multi-line report is being collected (its hit is not out yet). */
    public boolean reportOpen() {
        return open != null;
    }

    /** When the open report's grace ends, or null when none is open. */
    public Instant reportDeadline() {
        return open == null ? null : open.deadline;
    }

    void remember(String line) {
        if (recent.size() == CONTEXT_LINES) recent.removeFirst();
        recent.addLast(line);
    }

    List<String> context() {
        return new ArrayList<>(recent);
    }

    /** True the first time a signature is seen; always true once the memory is full. */
    boolean firstTime(String signature) {
        if (seen.contains(signature)) return false;
        if (seen.size() < MAX_SIGNATURES) seen.add(signature);
        return true;
    }

    @JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
            isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class OpenReport {
        String patternId;
        long seq;
        Instant time;
        Instant deadline;
        Phase phase;
        LineSource source;
        String line;
        Map<String, String> groups = new HashMap<>();
        /** Index of the refinement that set the title; -1 while none did. */
        int refinedBy = -1;
        String title;
        List<String> block = new ArrayList<>();
        List<String> context = new ArrayList<>();
    }
}
