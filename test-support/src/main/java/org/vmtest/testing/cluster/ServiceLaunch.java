package org.vmtest.testing.cluster;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a service process the way systemd starts a unit's {@code ExecStart}: in a session of its own
 * ({@code setsid}), with no controlling terminal, stdin from {@code /dev/null}, and for a {@link ServiceUser.Named}
 * user with that user's ids and groups, no new privileges and a clean environment ({@code setpriv}).
 *
 * <p>Why it matters: a process that leads its own session without a terminal acquires the first tty it opens
 * without {@code O_NOCTTY} as its controlling terminal, and gets SIGHUP when that tty hangs up. A service started
 * from a test JVM's session never shows that; a service under systemd does. Both {@code setsid} and {@code setpriv}
 * exec in place, so the process id the harness sees is the service's own.
 */
public final class ServiceLaunch {
    private static final File DEV_NULL = new File("/dev/null");

    private ServiceLaunch() {
    }

    /** {@code setsid [setpriv ...] command...} */
    public static List<String> command(List<String> command, ServiceUser user) {
        List<String> full = new ArrayList<>();
        full.add("setsid");
        if (user instanceof ServiceUser.Named named) {
            full.addAll(List.of("setpriv", "--reuid=" + named.name(), "--regid=" + named.group(), "--init-groups",
                    "--no-new-privs", "--reset-env", "--"));
        }
        full.addAll(command);
        return full;
    }

    /** A process builder for {@link #command}, stdin from {@code /dev/null}. */
    public static ProcessBuilder processBuilder(List<String> command, ServiceUser user) {
        return new ProcessBuilder(command(command, user)).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
    }
}
