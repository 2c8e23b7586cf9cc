package org.vmtest.worker.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDENTITY_FILE keys come from the worker's key directory and from nowhere else. */
class KeyDirectoryTest {
    @TempDir
    Path root;

    private KeyDirectory keys() throws IOException {
        return new KeyDirectory(Files.createDirectories(root.resolve("keys")));
    }

    @Test
    void aKeyInsideTheDirectoryIsLoaded() throws Exception {
        KeyPair made = SshKeys.generate();
        SshKeys.writePrivateKey(made, root.resolve("keys/installer/id_ecdsa"), "installer");

        KeyPair loaded = keys().load("installer/id_ecdsa");

        assertThat(loaded.getPublic()).isEqualTo(made.getPublic());
    }

    @Test
    void anAbsolutePathOrADotDotIsRefusedBeforeAnyFileIsLookedAt() throws Exception {
        KeyDirectory keys = keys();
        assertThatThrownBy(() -> keys.load("/etc/ssh/ssh_host_ed25519_key")).isInstanceOf(IOException.class)
                .hasMessage("ssh.identityFile: must be a path inside the worker's key directory, not"
                        + " /etc/ssh/ssh_host_ed25519_key");
        assertThatThrownBy(() -> keys.load("../outside")).isInstanceOf(IOException.class)
                .hasMessageContaining("must be a path inside the worker's key directory, not ../outside");
    }

    @Test
    void aSymlinkThatLeadsOutOfTheDirectoryIsRefused() throws Exception {
        KeyDirectory keys = keys();
        SshKeys.writePrivateKey(SshKeys.generate(), root.resolve("elsewhere/id"), "x");
        Files.createSymbolicLink(root.resolve("keys/link"), root.resolve("elsewhere/id"));

        assertThatThrownBy(() -> keys.load("link")).isInstanceOf(IOException.class)
                .hasMessageContaining("ssh.identityFile: must be a path inside the worker's key directory, not link")
                .hasMessageContaining("outside");
    }

    @Test
    void aMissingFileOrOneThatHoldsNoKeySaysSo() throws Exception {
        KeyDirectory keys = keys();
        Files.writeString(root.resolve("keys/notakey"), "hello\n");

        assertThatThrownBy(() -> keys.load("absent")).isInstanceOf(IOException.class)
                .hasMessageContaining("ssh.identityFile absent does not exist in the key directory");
        assertThatThrownBy(() -> keys.load("notakey")).isInstanceOf(IOException.class)
                .hasMessageContaining("ssh.identityFile notakey");
    }
}
