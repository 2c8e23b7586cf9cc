package org.vmtest.systemtests.badinput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vmtest.analyzer.patterns.PatternLibrary;
import org.vmtest.analyzer.patterns.PatternLoadException;

/**
 * A user's pattern directory is loaded by the analyzer as it is deployed: a pattern that could backtrack
 * catastrophically on a hostile console line must be refused at load time, naming the file, not discovered when a
 * guest prints the line that takes the analyzer down.
 */
class PatternSafetyIT {

    @ParameterizedTest
    @ValueSource(strings = {"(a+)+$", "(a*)*b", "(a|a)*c", "(\\w+\\s?)+$", "(.*a){12}", "^(a|aa)+$", "(x+x+)+y"})
    void patternThatWouldBacktrackCatastrophicallyIsRefusedNamingItsFile(String regex, @TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("hostile.yaml"), """
                patterns:
                  - id: user.hostile
                    regex: '%s'
                    category: error
                    title: 'hostile pattern'
                """.formatted(regex.replace("'", "''")));

        System.out.println("PATTERN SAFETY " + regex + " -> " + outcome(dir));
        assertThatThrownBy(() -> PatternLibrary.load(List.of(dir)))
                .isInstanceOf(PatternLoadException.class)
                .hasMessageContaining(file.getFileName().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Kernel panic - not syncing", "EXT4-fs error \\(device (?<dev>\\w+)\\)", "^vmtest-flood \\d+$"})
    void ordinaryPatternsStillLoad(String regex, @TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("fine.yaml"), """
                patterns:
                  - id: user.fine
                    regex: '%s'
                    category: error
                    title: 'fine pattern'
                """.formatted(regex));
        assertThat(PatternLibrary.load(List.of(dir))).isNotNull();
    }

    private static String outcome(Path dir) {
        try {
            PatternLibrary.load(List.of(dir));
            return "ACCEPTED";
        } catch (PatternLoadException e) {
            return "refused: " + e.getMessage().lines().findFirst().orElse("");
        }
    }
}
