package org.vmtest.testing.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whose rights a service process runs with: the test's own user, or a system user as a unit's {@code User=} names
 * (deploy/systemd/vmtest-worker.service runs the worker as an unprivileged user in the libvirt group).
 */
public sealed interface ServiceUser {
    /** The user running the tests (root on a test host). */
    ServiceUser INVOKER = new Invoker();

    record Invoker() implements ServiceUser {
    }

    /** A system user and its primary group; supplementary groups come from the group database, as with systemd. */
    record Named(String name, String group) implements ServiceUser {
        public Named {
            if (!name.matches("[a-z_][a-z0-9_-]*")) throw new IllegalArgumentException("not a user name: " + name);
        }
    }

    /**
     * System user {@code name}, member of {@code group} (e.g. {@code libvirt}); created unless it exists, as a
     * package's postinst would: no home directory, no login shell. Needs root.
     */
    static Named ensureSystemUser(String name, String group) {
        if (run("id", "-u", name).rc() != 0) {
            run("useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    "-G", group, name).orFail();
        } else if (!List.of(run("id", "-nG", name).orFail().split("\\s+")).contains(group)) {
            run("usermod", "-aG", group, name).orFail();
        }
        return new Named(name, run("id", "-gn", name).orFail());
    }

    private static Result run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 30 s");
            }
            return new Result(String.join(" ", command), p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command[0], e);
        }
    }

    /** What a user-database command printed. */
    record Result(String command, int rc, String out) {
        String orFail() {
            if (rc != 0) throw new IllegalStateException(command + " failed (exit " + rc + "): " + out);
            return out;
        }
    }
}
