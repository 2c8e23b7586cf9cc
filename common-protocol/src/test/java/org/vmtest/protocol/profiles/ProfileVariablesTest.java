package org.vmtest.protocol.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vmtest.protocol.jobs.Profile;

class ProfileVariablesTest {
    private static final String PROFILE = """
            name: ci-${NOT_IN_NAMES}
            description: "commit ${COMMIT:-unknown}"
            vm:
              kernel: ${KERNEL:-vmlinuz}
              cmdline: "console=ttyS0 pw=${PASSWORD} ${lower} $${HOME} ${UNCLOSED"
            install:
              - run: "install --token ${PASSWORD}"
            tests:
              - name: "greets ${GREETING}"
                run: "echo ${GREETING}"
                expectOutput: "^${GREETING}$"
            patterns:
              - id: ci.oops
                regex: "oops (?<WHAT>\\\\w+)"
                category: failure
                title: "oops ${WHAT}"
            """;

    private static final ProfileVariables GIVEN = ProfileVariables.of(Map.of("GREETING", "hi there"),
            Map.of("PASSWORD", "pa55"));

    private static Profile parse(String yaml, ProfileVariables variables, boolean masked) throws ProfileException {
        return ProfileYaml.parse("ci.yaml", yaml.replace("ci-${NOT_IN_NAMES}", "ci"), variables, masked);
    }

    @Test
    void variablesDefaultsAndTheLiteralEscapeAreSubstitutedAndShellSyntaxIsLeftAlone() throws Exception {
        Profile p = parse(PROFILE, GIVEN, false);
        assertThat(p.description()).isEqualTo("commit unknown");
        assertThat(p.vm().kernel()).isEqualTo("vmlinuz");
        assertThat(p.vm().cmdline()).isEqualTo("console=ttyS0 pw=pa55 ${lower} ${HOME} ${UNCLOSED");
        assertThat(p.install().get(0).run()).isEqualTo("install --token pa55");
        assertThat(p.tests().get(0).name()).isEqualTo("greets hi there");
        assertThat(p.tests().get(0).expectOutput()).isEqualTo("^hi there$");
        assertThat(p.patterns().get(0).title()).as("patterns are not substituted").isEqualTo("oops ${WHAT}");
    }

    @Test
    void secretsAreMaskedInTheShownCopyAndInNamesEvenInTheRealOne() throws Exception {
        Profile real = parse(PROFILE, GIVEN, false);
        Profile masked = parse(PROFILE, GIVEN, true);
        assertThat(real.install().get(0).name()).as("a step named by its command").isEqualTo("install --token ***");
        assertThat(masked.vm().cmdline()).isEqualTo("console=ttyS0 pw=*** ${lower} ${HOME} ${UNCLOSED");
        assertThat(masked.install().get(0).run()).isEqualTo("install --token ***");
        assertThat(masked.tests().get(0).run()).isEqualTo("echo hi there");
    }

    @Test
    void aMissingVariableIsReportedWithItsFieldAndLine() {
        assertThatThrownBy(() -> parse(PROFILE, ProfileVariables.of(Map.of(), Map.of("PASSWORD", "x")), false))
                .isInstanceOf(ProfileException.class)
                .hasMessageStartingWith("ci.yaml:9:")
                .hasMessageContaining("tests[0].name: variable GREETING is neither given nor defaulted");
    }

    @Test
    void aSecretInAFieldThatIsShownAsItIsIsRefused() {
        String shown = PROFILE.replace("commit ${COMMIT:-unknown}", "pw ${PASSWORD}");
        assertThatThrownBy(() -> parse(shown, GIVEN, false))
                .hasMessageContaining("description: secret variable PASSWORD cannot be used here");
        String regex = PROFILE.replace("^${GREETING}$", "${PASSWORD}");
        assertThatThrownBy(() -> parse(regex, GIVEN, false))
                .hasMessageContaining("tests[0].expectOutput: secret variable PASSWORD");
    }

    @Test
    void placeholdersLetACatalogueFileBeCheckedBeforeAnyRunGivesValues() throws Exception {
        Profile p = parse(PROFILE, ProfileVariables.placeholders(), false);
        assertThat(p.vm().cmdline()).isEqualTo("console=ttyS0 pw=PASSWORD ${lower} ${HOME} ${UNCLOSED");
        assertThat(p.vm().kernel()).isEqualTo("vmlinuz");
    }

    @Test
    void aVariableThatLeadsAnImageOutOfTheImageDirectoryIsRefused() {
        ProfileVariables escape = ProfileVariables.of(Map.of("KERNEL", "../../etc/shadow", "GREETING", "x"),
                Map.of("PASSWORD", "x"));
        assertThatThrownBy(() -> parse(PROFILE, escape, false))
                .hasMessageContaining("vm.kernel: must be a path inside the image directory");
    }
}
