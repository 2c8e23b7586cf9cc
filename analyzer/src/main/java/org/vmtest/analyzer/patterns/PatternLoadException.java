package org.vmtest.analyzer.patterns;

/** A pattern file or pattern is wrong. The message names the file, the line and what is wrong. */
public final class PatternLoadException extends Exception {
    private final String source;
    private final int line;

    public PatternLoadException(String source, int line, String problem) {
        super(source + (line > 0 ? ":" + line : "") + ": " + problem);
        this.source = source;
        this.line = line;
    }

    /** The file (or other source) that holds the mistake. */
    public String source() {
        return source;
    }

    /** 1-based line of the mistake; 0 when unknown. */
    public int line() {
        return line;
    }
}
