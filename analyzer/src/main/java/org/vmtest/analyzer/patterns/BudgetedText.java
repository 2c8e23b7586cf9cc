package org.vmtest.analyzer.patterns;

/**
 * The line as the confirming regex sees it, with a budget on character reads: a regex that backtracks far beyond
 * what the loader's checks allow gives up on this line instead of holding the stream thread. Reusable per thread.
 */
final class BudgetedText implements CharSequence {
    /** Thrown (preallocated, without a stack) when a regex exceeds its budget on one line. */
    static final class Exhausted extends RuntimeException {
        static final Exhausted INSTANCE = new Exhausted();

        private Exhausted() {
            super("regex budget exhausted", null, false, false);
        }
    }

    /** Reads allowed per character of the line; generous: a sane pattern reads each character a few times. */
    static final int READS_PER_CHAR = 256;
    static final int MIN_READS = 100_000;

    private String text = "";
    private long remaining;

    BudgetedText reset(String text) {
        this.text = text;
        this.remaining = Math.max(MIN_READS, (long) text.length() * READS_PER_CHAR);
        return this;
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public char charAt(int index) {
        if (--remaining < 0) throw Exhausted.INSTANCE;
        return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return text.subSequence(start, end);
    }

    @Override
    public String toString() {
        return text;
    }
}
