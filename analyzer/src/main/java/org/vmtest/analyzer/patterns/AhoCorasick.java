package org.vmtest.analyzer.patterns;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A multi-literal search over ASCII, case-insensitive, compiled to a full transition table: one array read per
 * character of the line, whatever the number of literals. Characters beyond ASCII lead back to the root (no
 * literal contains one).
 */
final class AhoCorasick {
    private static final int ALPHABET = 128;
    private final int[] next;
    /** For each state, the values of every literal that ends there (through failure links too), or null. */
    private final int[][] outputs;

    /** @param literals lower-case ASCII literals; {@code values[i]} is reported when {@code literals[i]} occurs */
    AhoCorasick(List<String> literals, int[] values) {
        var gotoTable = new ArrayList<int[]>();
        var out = new ArrayList<int[]>();
        gotoTable.add(newRow());
        out.add(null);
        for (int i = 0; i < literals.size(); i++) {
            int s = 0;
            for (char c : literals.get(i).toCharArray()) {
                int t = gotoTable.get(s)[c];
                if (t < 0) {
                    t = gotoTable.size();
                    gotoTable.get(s)[c] = t;
                    gotoTable.add(newRow());
                    out.add(null);
                }
                s = t;
            }
            out.set(s, append(out.get(s), values[i]));
        }
        int states = gotoTable.size();
        next = new int[states * ALPHABET];
        int[] fail = new int[states];
        var queue = new ArrayDeque<Integer>();
        for (int c = 0; c < ALPHABET; c++) {
            int t = gotoTable.get(0)[c];
            if (t < 0) {
                next[c] = 0;
            } else {
                next[c] = t;
                fail[t] = 0;
                queue.add(t);
            }
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            if (out.get(fail[s]) != null) {
                for (int v : out.get(fail[s])) out.set(s, append(out.get(s), v));
            }
            for (int c = 0; c < ALPHABET; c++) {
                int t = gotoTable.get(s)[c];
                if (t < 0) {
                    next[s * ALPHABET + c] = next[fail[s] * ALPHABET + c];
                } else {
                    next[s * ALPHABET + c] = t;
                    fail[t] = next[fail[s] * ALPHABET + c];
                    queue.add(t);
                }
            }
        }
        outputs = out.toArray(int[][]::new);
    }

    /** Calls {@code sink} with the value of every literal occurrence (repeats possible). */
    void search(String text, ValueSink sink) {
        int s = 0;
        final int[] table = next;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c >= ALPHABET) {
                s = 0;
                continue;
            }
            if (c >= 'A' && c <= 'Z') c = (char) (c + 32);
            s = table[s * ALPHABET + c];
            int[] o = outputs[s];
            if (o != null) {
                for (int v : o) sink.accept(v);
            }
        }
    }

    interface ValueSink {
        void accept(int value);
    }

    private static int[] newRow() {
        int[] row = new int[ALPHABET];
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
