package org.vmtest.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real xorriso of this host (deploy/host-setup.sh installs it); the OVMF files are given. */
class RealGuestsCheckTest {
    @Test
    void missingUefiFirmwareFailsNamingTheFileAndThePackage(@TempDir Path dir) {
        Check c = HostChecks.realGuests(dir.resolve("OVMF_CODE_4M.fd"), dir.resolve("OVMF_VARS_4M.fd"));
        assertThat(c.status()).isEqualTo(Check.Status.FAIL);
        assertThat(c.detail()).contains("OVMF_CODE_4M.fd");
        assertThat(c.fix()).contains("apt-get install ovmf");
    }

    @Test
    void xorrisoAndTheFirmwareMakeItPass(@TempDir Path dir) throws Exception {
        Path code = Files.writeString(dir.resolve("code.fd"), "x");
        Path vars = Files.writeString(dir.resolve("vars.fd"), "x");
        Check c = HostChecks.realGuests(code, vars);
        assertThat(c.status()).as(c.detail()).isEqualTo(Check.Status.OK);
        assertThat(c.detail()).contains("xorriso");
    }
}
