package org.vmtest.protocol.jobs;

import java.util.List;

/**
 * How the worker uses the guest's serial console before SSH: for {@link SshSpec.KeyDelivery#CONSOLE}.
 *
 * @param login    console steps that end at a shell prompt of {@link SshSpec#user()} (e.g. expect {@code login: },
 *                 send {@code root\n}, expect {@code # })
 * @param startSsh a shell command that starts the SSH server once the key is in place; null when it runs already
 */
public record ConsoleSpec(List<ConsoleStep> login, String startSsh) {
    public static final ConsoleSpec NONE = new ConsoleSpec(null, null);

    public ConsoleSpec {
        login = login == null ? List.of() : List.copyOf(login);
        if (startSsh != null && startSsh.isBlank()) startSsh = null;
    }
}
