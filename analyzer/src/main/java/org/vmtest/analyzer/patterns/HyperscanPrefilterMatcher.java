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
 * A regex Hyperscan cannot take, or whose Java semantics it might not cover, is prefiltered by its required literal
 * clauses instead (or always checked).
 */
final class HyperscanPrefilterMatcher extends PrefilterMatcher {
    private static final Logger LOG = LoggerFactory.getLogger(HyperscanPrefilterMatcher.class);
    private static final EnumSet<ExpressionFlag> FLAGS =
            EnumSet.of(ExpressionFlag.PREFILTER, ExpressionFlag.SINGLEMATCH, ExpressionFlag.UTF8);

    private final Database database;
    private final ThreadLocal<Scanner> scanners;
    private final int[] inDatabase;

    private HyperscanPrefilterMatcher(List<CompiledPattern> compiled, int[] always, Database database,
                                      List<CompiledPattern> residue, int[] inDatabase) {
        super(compiled, always, residue);
        this.database = database;
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
        var residue = new ArrayList<CompiledPattern>();
        var always = new ArrayList<Integer>();
        for (CompiledPattern c : compiled) {
            Expression e = javaCompatible(c.spec.regex()) ? new Expression(c.spec.regex(), FLAGS, c.index) : null;
            if (e != null && e.validate().isValid()) {
                expressions.add(e);
            } else if (!c.requirements.isEmpty()) {
                residue.add(c);
            } else {
                always.add(c.index);
            }
        }
        try {
            Database db = compileDropping(expressions, compiled, residue, always);
            return new HyperscanPrefilterMatcher(compiled, always.stream().mapToInt(Integer::intValue).toArray(), db,
                    residue, expressions.stream().mapToInt(Expression::getId).toArray());
        } catch (CompileErrorException | RuntimeException | LinkageError e) {
            LOG.warn("Hyperscan could not compile the pattern library ({}); using the literal prefilter", e.toString());
            return null;
        }
    }

    /**
     * Compiles the database; an expression the whole-database compile refuses though it validated alone (one that
     * can match the empty string, say) leaves the database for the literal path, and the compile is tried again.
     */
    private static Database compileDropping(List<Expression> expressions, List<CompiledPattern> compiled,
                                            List<CompiledPattern> residue, List<Integer> always)
            throws CompileErrorException {
        while (true) {
            try {
                return Database.compile(expressions);
            } catch (CompileErrorException e) {
                Expression failed = e.getFailedExpression();
                if (failed == null || !expressions.remove(failed)) throw e;
                CompiledPattern c = compiled.get(failed.getId());
                LOG.debug("pattern {} left out of the Hyperscan database: {}", c.spec.id(), e.getMessage());
                if (c.requirements.isEmpty()) {
                    always.add(c.index);
                } else {
                    residue.add(c);
                }
            }
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
        if (inDatabase.length > 0) {
            List<Match> matches;
            try {
                matches = scanners.get().scan(database, text);
            } catch (RuntimeException e) {
                // the wrapper's UTF-8 offset mapping fails on some strings (unpaired surrogates): without its answer
                // every pattern of the database must be confirmed on this line
                for (int i : inDatabase) sink.candidate(i);
                matches = List.of();
            }
            for (Match m : matches) sink.candidate(m.getMatchedExpression().getId());
        }
        if (literals != null) literals.search(text, sink);
    }

    @Override
    public String engine() {
        return "hyperscan prefilter + java.util.regex (" + inDatabase.length + " of " + patterns.length
                + " patterns in the database, " + always.length + " always checked)";
    }
}
