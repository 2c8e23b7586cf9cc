package org.vmtest.regex;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A small parser of {@link java.util.regex.Pattern} syntax, precise enough for two questions asked of a pattern:
 * can it backtrack catastrophically ({@link RegexSafety}), and which literals must appear in every match (the
 * analyzer's prefilter). Where it
 * does not understand a construct it answers conservatively: "any character", "no required literal".
 * The regex has already been compiled by {@code Pattern.compile}, so the syntax is known to be valid.
 */
public final class RegexAst {
    /** Characters as sets over ASCII plus one bit for "anything beyond ASCII". */
    public static final int NON_ASCII = 128;

    public sealed interface Node permits Lit, Cls, Seq, Alt, Group, Repeat, Zero {
    }

    /** One literal character. */
    public record Lit(char c) implements Node {
    }

    /** A class of characters (a bracket class, an escape like {@code \d}, the dot, a back-reference). */
    public record Cls(BitSet chars) implements Node {
    }

    public record Seq(List<Node> items) implements Node {
    }

    public record Alt(List<Node> branches) implements Node {
    }

    public record Group(Node body) implements Node {
    }

    /** @param max -1 for unbounded */
    public record Repeat(Node body, int min, int max) implements Node {
        public boolean unbounded() {
            return max < 0;
        }
    }

    /** Zero-width: anchors, word boundaries, lookarounds. */
    public record Zero() implements Node {
    }

    private final String re;
    private int pos;
    boolean commentsMode;

    private RegexAst(String re) {
        this.re = re;
    }

    public static Node parse(String regex) {
        var p = new RegexAst(regex);
        Node n = p.alternation();
        if (p.pos < regex.length()) throw new IllegalArgumentException("unbalanced ')' at " + p.pos);
        return n;
    }

    /** True if the regex turns on comments mode, where whitespace and {@code #} change meaning. */
    public static boolean usesCommentsMode(String regex) {
        return regex.matches("(?s).*\\(\\?[a-zA-Z-]*x[a-zA-Z-]*[:)].*");
    }

    /** The characters a match of {@code n} can start with, case-folded; an empty match counts as "anything". */
    public static BitSet first(Node n) {
        BitSet s;
        if (n instanceof Lit l) {
            s = new BitSet(NON_ASCII + 1);
            s.set(l.c() < NON_ASCII ? l.c() : NON_ASCII);
        } else if (n instanceof Cls c) {
            s = (BitSet) c.chars().clone();
        } else if (n instanceof Group g) {
            s = first(g.body());
        } else if (n instanceof Repeat r) {
            s = r.min() == 0 ? all() : first(r.body());
        } else if (n instanceof Alt a) {
            s = new BitSet(NON_ASCII + 1);
            for (Node b : a.branches()) s.or(first(b));
        } else if (n instanceof Seq q) {
            s = all();
            for (Node item : q.items()) {
                if (item instanceof Zero) continue;
                s = first(item);
                break;
            }
        } else {
            s = all();
        }
        for (char c = 'a'; c <= 'z'; c++) {
            if (s.get(c) || s.get(Character.toUpperCase(c))) {
                s.set(c);
                s.set(Character.toUpperCase(c));
            }
        }
        return s;
    }

    private boolean more() {
        return pos < re.length();
    }

    private char peek() {
        return re.charAt(pos);
    }

    private Node alternation() {
        var branches = new ArrayList<Node>();
        branches.add(sequence());
        while (more() && peek() == '|') {
            pos++;
            branches.add(sequence());
        }
        return branches.size() == 1 ? branches.get(0) : new Alt(branches);
    }

    private Node sequence() {
        var items = new ArrayList<Node>();
        while (more() && peek() != '|' && peek() != ')') {
            Node atom = atom();
            if (atom == null) continue;
            items.add(quantified(atom));
        }
        return new Seq(items);
    }

    private Node quantified(Node atom) {
        while (more()) {
            char c = peek();
            int min;
            int max;
            if (c == '*') {
                min = 0;
                max = -1;
                pos++;
            } else if (c == '+') {
                min = 1;
                max = -1;
                pos++;
            } else if (c == '?') {
                min = 0;
                max = 1;
                pos++;
            } else if (c == '{' && re.indexOf('}', pos) > pos && re.substring(pos + 1, re.indexOf('}', pos))
                    .matches("\\d+(,\\d*)?")) {
                String body = re.substring(pos + 1, re.indexOf('}', pos));
                pos = re.indexOf('}', pos) + 1;
                int comma = body.indexOf(',');
                if (comma < 0) {
                    min = max = Integer.parseInt(body);
                } else {
                    min = Integer.parseInt(body.substring(0, comma));
                    max = comma == body.length() - 1 ? -1 : Integer.parseInt(body.substring(comma + 1));
                }
            } else {
                return atom;
            }
            if (more() && (peek() == '?' || peek() == '+')) pos++; // lazy or possessive
            atom = new Repeat(atom, min, max);
        }
        return atom;
    }

    private Node atom() {
        char c = re.charAt(pos++);
        switch (c) {
            case '(':
                return group();
            case '[':
                return new Cls(bracket());
            case '.':
                return new Cls(all());
            case '^':
            case '$':
                return new Zero();
            case '\\':
                return escape();
            default:
                if (commentsMode && (Character.isWhitespace(c) || c == '#')) {
                    if (c == '#') while (more() && peek() != '\n') pos++;
                    return null;
                }
                return new Lit(c);
        }
    }

    private Node group() {
        boolean zeroWidth = false;
        if (more() && peek() == '?') {
            pos++;
            char k = peek();
            if (k == ':' || k == '>') {
                pos++;
            } else if (k == '=' || k == '!') {
                pos++;
                zeroWidth = true;
            } else if (k == '<' && pos + 1 < re.length() && (re.charAt(pos + 1) == '=' || re.charAt(pos + 1) == '!')) {
                pos += 2;
                zeroWidth = true;
            } else if (k == '<') {
                pos = re.indexOf('>', pos) + 1;
            } else { // inline flags: (?i) or (?i:...)
                int start = pos;
                while (more() && peek() != ')' && peek() != ':') pos++;
                String flags = re.substring(start, pos);
                int minus = flags.indexOf('-');
                if ((minus < 0 ? flags : flags.substring(0, minus)).indexOf('x') >= 0) commentsMode = true;
                if (peek() == ')') {
                    pos++;
                    return new Zero();
                }
                pos++;
            }
        }
        Node body = alternation();
        pos++; // ')'
        return zeroWidth ? new Zero() : new Group(body);
    }

    private Node escape() {
        char e = re.charAt(pos++);
        switch (e) {
            case 'd':
                return new Cls(range('0', '9'));
            case 'D':
                return new Cls(not(range('0', '9')));
            case 'w':
                return new Cls(word());
            case 'W':
                return new Cls(not(word()));
            case 's':
                return new Cls(space());
            case 'S':
                return new Cls(not(space()));
            case 'b':
            case 'B':
            case 'A':
            case 'z':
            case 'Z':
            case 'G':
                return new Zero();
            case 'Q': {
                int end = re.indexOf("\\E", pos);
                String quoted = re.substring(pos, end < 0 ? re.length() : end);
                pos = end < 0 ? re.length() : end + 2;
                var items = new ArrayList<Node>();
                for (char q : quoted.toCharArray()) items.add(new Lit(q));
                return new Group(new Seq(items));
            }
            case 't':
                return new Lit('\t');
            case 'n':
                return new Lit('\n');
            case 'r':
                return new Lit('\r');
            case 'f':
                return new Lit('\f');
            case 'a':
                return new Lit('\u0007');
            case 'e':
                return new Lit('\u001b');
            case 'x': {
                if (peek() == '{') {
                    int end = re.indexOf('}', pos);
                    int cp = Integer.parseInt(re.substring(pos + 1, end), 16);
                    pos = end + 1;
                    return cp < 0x10000 ? new Lit((char) cp) : new Cls(all());
                }
                char ch = (char) Integer.parseInt(re.substring(pos, pos + 2), 16);
                pos += 2;
                return new Lit(ch);
            }
            case 'u': {
                char ch = (char) Integer.parseInt(re.substring(pos, pos + 4), 16);
                pos += 4;
                return new Lit(ch);
            }
            case 'p':
            case 'P':
                if (more() && peek() == '{') pos = re.indexOf('}', pos) + 1;
                else pos++;
                return new Cls(all());
            case 'k':
                pos = re.indexOf('>', pos) + 1;
                return new Cls(all());
            case 'c':
                pos++;
                return new Cls(all());
            default:
                if (Character.isDigit(e)) { // back-reference or octal: any text
                    while (more() && Character.isDigit(peek())) pos++;
                    return new Cls(all());
                }
                if (Character.isLetter(e)) return new Cls(all()); // \h \v \R \X and friends
                return new Lit(e);
        }
    }

    /** Parses a bracket class; nested classes and intersections are approximated as "any character". */
    private BitSet bracket() {
        var set = new BitSet(NON_ASCII + 1);
        boolean negate = more() && peek() == '^';
        if (negate) pos++;
        boolean approximate = false;
        boolean first = true;
        while (more() && (peek() != ']' || first)) {
            first = false;
            char c = re.charAt(pos++);
            if (c == '[' || c == '&' && more() && peek() == '&') {
                approximate = true;
                if (c == '[') skipNestedBracket();
                continue;
            }
            int lo;
            if (c == '\\') {
                char e = re.charAt(pos++);
                BitSet cls = switch (e) {
                    case 'd' -> range('0', '9');
                    case 'D' -> not(range('0', '9'));
                    case 'w' -> word();
                    case 'W' -> not(word());
                    case 's' -> space();
                    case 'S' -> not(space());
                    default -> null;
                };
                if (cls != null) {
                    set.or(cls);
                    continue;
                }
                if (e == 'p' || e == 'P' || e == 'x' || e == 'u' || e == 'h' || e == 'v' || e == 'c' || e == 'Q'
                        || Character.isDigit(e)) {
                    approximate = true;
                    if (e == 'Q') {
                        int end = re.indexOf("\\E", pos);
                        pos = end < 0 ? re.length() : end + 2;
                    } else if (more() && peek() == '{') {
                        pos = re.indexOf('}', pos) + 1;
                    }
                    continue;
                }
                lo = switch (e) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 'f' -> '\f';
                    case 'e' -> 0x1b;
                    case 'a' -> 7;
                    default -> e;
                };
            } else {
                lo = c;
            }
            int hi = lo;
            if (more() && peek() == '-' && pos + 1 < re.length() && re.charAt(pos + 1) != ']') {
                pos++;
                char h = re.charAt(pos++);
                if (h == '\\') {
                    h = re.charAt(pos++);
                    if (!Character.isLetterOrDigit(h) || h == 't') {
                        hi = h == 't' ? '\t' : h;
                    } else {
                        approximate = true;
                    }
                } else {
                    hi = h;
                }
            }
            for (int x = lo; x <= hi && x < NON_ASCII; x++) set.set(x);
            if (hi >= NON_ASCII) set.set(NON_ASCII);
        }
        pos++; // ']'
        if (approximate) return all();
        return negate ? not(set) : set;
    }

    private void skipNestedBracket() {
        int depth = 1;
        while (more() && depth > 0) {
            char c = re.charAt(pos++);
            if (c == '\\') pos++;
            else if (c == '[') depth++;
            else if (c == ']') depth--;
        }
    }

    public static BitSet all() {
        var s = new BitSet(NON_ASCII + 1);
        s.set(0, NON_ASCII + 1);
        return s;
    }

    static BitSet range(char lo, char hi) {
        var s = new BitSet(NON_ASCII + 1);
        s.set(lo, hi + 1);
        return s;
    }

    static BitSet word() {
        var s = range('a', 'z');
        s.or(range('A', 'Z'));
        s.or(range('0', '9'));
        s.set('_');
        return s;
    }

    static BitSet space() {
        var s = new BitSet(NON_ASCII + 1);
        for (char c : new char[] {' ', '\t', '\n', '\u000b', '\f', '\r'}) s.set(c);
        return s;
    }

    static BitSet not(BitSet in) {
        var s = all();
        s.andNot(in);
        s.set(NON_ASCII); // a negated class always admits non-ASCII characters
        return s;
    }
}
