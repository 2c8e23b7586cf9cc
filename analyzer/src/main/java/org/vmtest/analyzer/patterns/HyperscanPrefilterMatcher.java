package org.vmtest.analyzer.patterns;

import com.gliwka.hyperscan.wrapper.CompileErrorException;
import com.gliwka.hyperscan.wrapper.Database;
import com.gliwka.hyperscan.wrapper.Expression;
import com.gliwka.hyperscan.wrapper.ExpressionFlag;
import com.gliwka.hyperscan.wrapper.Match;
import com.gliwka.hyperscan.wrapper.Scanner;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hyperscan as the prefilter: every regex in one database compiled in prefilter mode (a superset of its matches,
 * at most one report per pattern per line); java.util.regex confirms each candidate and extracts the groups.
 * A regex Hyperscan cannot take, or whose Java semantics it might not cover, is prefiltered by its required literals
 * instead (or always checked).
 */
final class HyperscanPrefilterMatcher extends PrefilterMatcher {
    private static final Logger LOG = LoggerFactory.getLogger(HyperscanPrefilterMatcher.class);
    private static final EnumSet<ExpressionFlag> FLAGS =
            EnumSet.of(ExpressionFlag.PREFILTER, ExpressionFlag.SINGLEMATCH, ExpressionFlag.UTF8);

    private final Database database;
    private final AhoCorasick residue;
    private final ThreadLocal<Scanner> scanners;
    private final int inDatabase;

    private HyperscanPrefilterMatcher(List<CompiledPattern> compiled, int[] always, Database database,
                                      AhoCorasick residue, int inDatabase) {
        super(compiled, always);
        this.database = database;
        this.residue = residue;
        this.inDatabase = inDatabase;
        this.scanners = ThreadLocal.withInitial(() -> {
            Scanner s = new Scanner();
            s.allocScratch(database);
            return s;
        });
    }

    /** Null when the native library cannot load here. */
    static HyperscanPrefilterMatcher tryBuild(List<CompiledPattern> compiled) {
        try {
            if (!Scanner.getIsValidPlatform()) return null;
        } catch (Throwable e) {
            LOG.info("Hyperscan is not available on this platform ({}); using the literal prefilter", e.toString());
            return null;
        }
        var expressions = new ArrayList<Expression>();
        var literals = new ArrayList<String>();
        var values = new ArrayList<Integer>();
        var always = new ArrayList<Integer>();
        for (CompiledPattern c : compiled) {
            Expression e = javaCompatible(c.spec.regex()) ? new Expression(c.spec.regex(), FLAGS, c.index) : null;
            if (e != null && e.validate().isValid()) {
                expressions.add(e);
            } else if (!c.literals.isEmpty()) {
                for (String l : c.literals) {
                    literals.add(l);
                    values.add(c.index);
                }
            } else {
                always.add(c.index);
            }
        }
        try {
            Database db = Database.compile(expressions);
            var residue = literals.isEmpty() ? null
                    : new AhoCorasick(literals, values.stream().mapToInt(Integer::intValue).toArray());
            return new HyperscanPrefilterMatcher(compiled, always.stream().mapToInt(Integer::intValue).toArray(), db,
                    residue, expressions.size());
        } catch (CompileErrorException | RuntimeException | LinkageError e) {
            LOG.warn("Hyperscan could not compile the pattern library ({}); using the literal prefilter", e.toString());
            return null;
        }
    }

    /**
     * Constructs whose meaning differs between java.util.regex and PCRE/Hyperscan: class intersections, Java's
     * \p classes, possessive quantifiers, \Q..\E with metacharacters. Such patterns take the literal path.
     */
    static boolean javaCompatible(String regex) {
        return !(regex.contains("&&") || regex.contains("\\p") || regex.contains("\\P") || regex.contains("\\Q")
                || regex.contains("\\G") || regex.contains("\\Z") || regex.contains("\\z") || regex.contains("\\R")
                || regex.contains("\\X") || regex.contains("\\h") || regex.contains("\\H") || regex.contains("\\v")
                || regex.contains("\\V") || regex.contains("\\B") || regex.contains("(?u") || regex.contains("(?U")
                || regex.contains("(?d") || regex.matches("(?s).*(?:[+*?}])\\+.*") || regex.contains("(?<=")
                || regex.contains("(?<!"));
    }

    @Override
    void candidates(String text, Scratch sink) {
        if (inDatabase > 0) {
            List<Match> matches = scanners.get().scan(database, text);
            for (Match m : matches) sink.accept(m.getMatchedExpression().getId());
        }
        if (residue != null) residue.search(text, sink);
    }

    @Override
    public String engine() {
        return "hyperscan prefilter + java.util.regex (" + inDatabase + " of " + patterns.length
                + " patterns in the database, " + always.length + " always checked)";
    }
}
