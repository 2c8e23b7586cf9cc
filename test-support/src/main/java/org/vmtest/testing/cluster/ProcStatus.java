package org.vmtest.testing.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Reads what Linux says about a process in {@code /proc/PID/status} and {@code /proc/PID/stat}. */
public final class ProcStatus {
    private ProcStatus() {
    }

    /** VmRSS in KiB; empty when the process is gone. */
    public static OptionalLong rssKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.substring(6).replace("kB", "").strip()));
                }
            }
            return OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The process's session id (field 6 of {@code /proc/PID/stat}); empty when the process is gone. */
    public static OptionalLong sessionId(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name (field 2) may hold spaces and parentheses: count fields after its last ')'
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return OptionalLong.of(Long.parseLong(rest[3]));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
