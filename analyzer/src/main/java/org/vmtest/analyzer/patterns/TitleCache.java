package org.vmtest.analyzer.patterns;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Normalised titles and signatures of rendered titles already seen. Progress patterns match a third of a booting
 * guest's lines with a handful of distinct titles, and normalising one (nine regex replacements and a SHA-256)
 * took a sixth of the analyzer's stream thread before this cache. Bounded: emptied when it is full, so a flood of
 * distinct titles costs what it cost without it. Thread-safe, as a scanner may serve several threads.
 */
final class TitleCache {
    static final int MAX_ENTRIES = 4096;

    private final ConcurrentHashMap<String, String[]> byRendered = new ConcurrentHashMap<>();

    /** {@code [normalised title, signature]} of a rendered title. */
    String[] titleAndSignature(String rendered) {
        String[] known = byRendered.get(rendered);
        if (known != null) return known;
        String title = Titles.normalise(rendered);
        String[] made = {title, Titles.signature(title)};
        if (byRendered.size() >= MAX_ENTRIES) byRendered.clear();
        byRendered.put(rendered, made);
        return made;
    }
}
