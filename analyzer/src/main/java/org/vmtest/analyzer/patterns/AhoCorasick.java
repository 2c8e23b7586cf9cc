package org.vmtest.analyzer.patterns;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A multi-literal search over ASCII, case-insensitive, compiled to a full transition table: one array read per
 * character of the line, whatever the number of literals. Characters beyond ASCII lead back to the root (no
 * literal contains one).
 *
 * <p>The table is kept small because it is read once per character of every line: characters that occur in no
 * literal share one column (upper case shares the lower-case column), and each entry carries, in its low bit,
 * whether the state it leads to reports literals, so the search reads the outputs only where there are some.
 */
final class AhoCorasick {
    private static final int ASCII = 128;
    /** Column of each ASCII character; 0 for characters that occur in no literal. */
    private final byte[] columnOf = new byte[ASCII];
    private final int columns;
    /** {@code next[state * columns + column] = nextState << 1 | (nextState reports literals ? 1 : 0)}. */
    private final int[] next;
    /** The same table in chars, when the automaton is small enough; then {@link #next} is null. */
    private final char[] nextSmall;
    /** For each state, the values of every literal that ends there (through failure links too), or null. */
    private final int[][] outputs;

    /** @param literals lower-case ASCII literals; {@code values[i]} is reported when {@code literals[i]} occurs */
    AhoCorasick(List<String> literals, int[] values) {
        int used = 1;
        for (String l : literals) {
            for (char c : l.toCharArray()) {
                if (c >= ASCII) throw new IllegalArgumentException("not ASCII: " + l);
                if (columnOf[c] == 0) {
                    columnOf[c] = (byte) used++;
                }
            }
        }
        for (char c = 'A'; c <= 'Z'; c++) columnOf[c] = columnOf[c + 32];
        this.columns = used;

        var gotoTable = new ArrayList<int[]>();
        var out = new ArrayList<int[]>();
        gotoTable.add(newRow());
        out.add(null);
        for (int i = 0; i < literals.size(); i++) {
            int s = 0;
            for (char c : literals.get(i).toCharArray()) {
                int col = columnOf[c];
                int t = gotoTable.get(s)[col];
                if (t < 0) {
                    t = gotoTable.size();
                    gotoTable.get(s)[col] = t;
                    gotoTable.add(newRow());
                    out.add(null);
                }
                s = t;
            }
            out.set(s, append(out.get(s), values[i]));
        }
        int states = gotoTable.size();
        int[] delta = new int[states * columns];
        int[] fail = new int[states];
        // States are renumbered in breadth-first order: the search spends nearly all its time in the few shallow
        // states (a console line rarely holds a long prefix of a literal), so their rows share a few cache lines
        // instead of being spread over a table of megabytes (500 patterns: ~2x faster per line).
        int[] bfsNumber = new int[states];
        int numbered = 1;
        var queue = new ArrayDeque<Integer>();
        for (int col = 0; col < columns; col++) {
            int t = gotoTable.get(0)[col];
            if (t < 0) {
                delta[col] = 0;
            } else {
                delta[col] = t;
                fail[t] = 0;
                queue.add(t);
                bfsNumber[t] = numbered++;
            }
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            if (out.get(fail[s]) != null) {
                for (int v : out.get(fail[s])) out.set(s, append(out.get(s), v));
            }
            for (int col = 0; col < columns; col++) {
                int t = gotoTable.get(s)[col];
                if (t < 0) {
                    delta[s * columns + col] = delta[fail[s] * columns + col];
                } else {
                    delta[s * columns + col] = t;
                    fail[t] = delta[fail[s] * columns + col];
                    queue.add(t);
                    bfsNumber[t] = numbered++;
                }
            }
        }
        outputs = new int[states][];
        for (int s = 0; s < states; s++) outputs[bfsNumber[s]] = out.get(s);
        int[] table = new int[delta.length];
        for (int s = 0; s < states; s++) {
            for (int col = 0; col < columns; col++) {
                int t = delta[s * columns + col];
                table[bfsNumber[s] * columns + col] = bfsNumber[t] << 1 | (out.get(t) != null ? 1 : 0);
            }
        }
        // Half the bytes when every entry fits in a char (fewer than 32,768 states: 500 patterns make ~8,300).
        if (states <= Character.MAX_VALUE >> 1) {
            nextSmall = new char[table.length];
            for (int i = 0; i < table.length; i++) nextSmall[i] = (char) table[i];
            next = null;
        } else {
            nextSmall = null;
            next = table;
        }
    }

    /** Calls {@code sink} with the value of every literal occurrence (repeats possible). */
    void search(String text, ValueSink sink) {
        if (nextSmall != null) {
            searchSmall(text, sink);
            return;
        }
        final int[] table = next;
        final byte[] column = columnOf;
        final int width = columns;
        int s = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c >= ASCII) {
                s = 0;
                continue;
            }
            int entry = table[s * width + column[c]];
            s = entry >>> 1;
            if ((entry & 1) != 0) {
                for (int v : outputs[s]) sink.accept(v);
            }
        }
    }

    private void searchSmall(String text, ValueSink sink) {
        final char[] table = nextSmall;
        final byte[] column = columnOf;
        final int width = columns;
        int s = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c >= ASCII) {
                s = 0;
                continue;
            }
            int entry = table[s * width + column[c]];
            s = entry >>> 1;
            if ((entry & 1) != 0) {
                for (int v : outputs[s]) sink.accept(v);
            }
        }
    }

    /** Number of states, for sizing and benchmarks. */
    int states() {
        return outputs.length;
    }

    interface ValueSink {
        void accept(int value);
    }

    private int[] newRow() {
        int[] row = new int[columns];
        Arrays.fill(row, -1);
        return row;
    }

    private static int[] append(int[] a, int v) {
        if (a == null) return new int[] {v};
        for (int x : a) if (x == v) return a;
        int[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }
}
