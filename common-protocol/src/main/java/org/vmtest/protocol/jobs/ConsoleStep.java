package org.vmtest.protocol.jobs;

import java.time.Duration;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One exchange on the guest's serial console (openQA's {@code wait_serial} then {@code type_string}): wait until
 * {@code expect} matches what the console printed since the previous console step matched, then type {@code send}.
 * A login is {@code [{expect: "login: ", send: "root\n"}, {expect: "# "}]}.
 *
 * @param expect  a regular expression on the console output; null to type at once
 * @param send    text typed on the console once {@code expect} matched (a newline is not added: write
 *                {@code "root\n"}); null to only wait
 * @param timeout how long {@code expect} may take to appear
 */
public record ConsoleStep(String expect, String send, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(1);

    public ConsoleStep {
        if (expect == null && send == null) throw new IllegalArgumentException("a console step needs expect or send");
        if (expect != null) {
            try {
                Pattern.compile(expect);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("console.expect is not a valid regex: " + e.getDescription());
            }
        }
        if (timeout == null) timeout = DEFAULT_TIMEOUT;
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("console.timeout must be positive");
    }

    /** How a log line or a failure names this step. */
    public String describe() {
        StringBuilder s = new StringBuilder("console");
        if (expect != null) s.append(" expect /").append(expect).append('/');
        if (send != null) s.append(" send ").append(quoted(send));
        return s.toString();
    }

    /** {@code text} in double quotes with its line ends written as {@code \n} and {@code \r}. */
    public static String quoted(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\"", "\\\"") + '"';
    }
}
