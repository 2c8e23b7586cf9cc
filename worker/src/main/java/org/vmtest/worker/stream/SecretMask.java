package org.vmtest.worker.stream;

import java.util.Comparator;
import java.util.List;

/**
 * Replaces the values of a run's secret variables with {@code ***} in what a job publishes. The coordinator puts a
 * secret only on {@code vmtest.jobs}, but the worker echoes each command it runs ({@code $ curl -H "…TOKEN…"}) and
 * the guest may print it back, so every line and reason leaving the worker goes through here.
 *
 * <p>A secret is found within one published line: a value the guest prints split over two lines (or over the
 * continuation of a line longer than {@link org.vmtest.protocol.stream.Line#MAX_TEXT_CHARS}) is not.
 */
public final class SecretMask {
    public static final SecretMask NONE = new SecretMask(List.of());
    static final String MASK = "***";

    private final List<String> secrets;

    public SecretMask(List<String> secrets) {
        // Longest first, so a secret that contains another is masked whole. Empty values would mask everything.
        this.secrets = secrets.stream().filter(s -> s != null && !s.isEmpty()).distinct()
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /** {@code text} with every secret value replaced by {@code ***}; null stays null. */
    public String apply(String text) {
        if (text == null || secrets.isEmpty()) return text;
        String out = text;
        for (String secret : secrets) {
            if (out.contains(secret)) out = out.replace(secret, MASK);
        }
        return out;
    }

    public boolean masksNothing() {
        return secrets.isEmpty();
    }
}
