package org.vmtest.analyzer.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TitlesTest {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-zA-Z][a-zA-Z0-9]*)}");

    /** The regex rendering {@link Titles#render} replaced: both must give the same title. */
    private static String byRegex(String template, Map<String, String> groups) {
        Matcher m = PLACEHOLDER.matcher(template);
        var out = new StringBuilder();
        while (m.find()) {
            String value = groups.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
        }
        m.appendTail(out);
        return out.toString();
    }

    @Test
    void rendersPlaceholdersAsTheRegexDid() {
        Map<String, String> groups = Map.of("unit", "nginx.service", "a", "$1 \\x", "b2", "B", "pct", "50");
        for (String t : List.of("systemd: started ${unit}", "no placeholder", "${a}${b2}", "x ${missing} y",
                "${", "${}", "${1a}", "${a", "$${a}", "${a-b}", "${a}}", "${ unit}", "${unit} and ${unit}",
                "vmtest-install: ${pct}% ${step}", "trailing ${", "${${a}}", "é ${a} ✓")) {
            assertThat(Titles.render(t, groups)).as(t).isEqualTo(byRegex(t, groups));
        }
    }
}
