package org.vmtest.cli;

import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = VmtestCommand.class.getPackage().getImplementationVersion();
        return new String[] {"vmtest " + (v == null ? "(development build)" : v)};
    }
}
