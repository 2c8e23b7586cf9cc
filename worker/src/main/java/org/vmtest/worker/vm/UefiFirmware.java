package org.vmtest.worker.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * OVMF, the UEFI firmware of Debian's {@code ovmf} package (installed by deploy/host-setup.sh): its code is shared
 * read-only; each job gets its own copy of the empty variables store, which the guest writes (boot entries) and
 * which is deleted with the job, so no job sees another's boot entries.
 */
public final class UefiFirmware {
    static final Path CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
    static final Path VARS_TEMPLATE = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");

    private UefiFirmware() {
    }

    /** Copies the variables template to {@code vars} and returns what the domain needs. */
    public static DomainSpec.UefiVars forJob(Path vars) throws VmStartException {
        return forJob(CODE, VARS_TEMPLATE, vars);
    }

    static DomainSpec.UefiVars forJob(Path code, Path template, Path vars) throws VmStartException {
        for (Path p : new Path[] {code, template}) {
            if (!Files.isRegularFile(p)) {
                throw new VmStartException("vm.firmware UEFI needs " + p + " (Debian package ovmf: deploy/host-setup.sh)");
            }
        }
        try {
            Files.createDirectories(vars.getParent());
            Files.copy(template, vars, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new VmStartException("cannot copy the UEFI variables store to " + vars + ": " + e.getMessage(), e);
        }
        return new DomainSpec.UefiVars(code, vars);
    }
}
