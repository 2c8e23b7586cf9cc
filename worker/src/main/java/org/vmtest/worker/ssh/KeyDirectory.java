package org.vmtest.worker.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Iterator;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.vmtest.protocol.jobs.ImagePath;

/**
 * The worker's directory of private keys for {@code ssh.keyDelivery: IDENTITY_FILE}. A profile names a key by its
 * path relative to this directory; anything that leads out of it (an absolute path, {@code ..}, a symlink to
 * elsewhere) is refused, since a profile comes from whoever can submit a job and must not make the worker use, or
 * probe, any file of the host. Checked on the real path, like the image directory's paths.
 */
public final class KeyDirectory {
    private final Path dir;

    public KeyDirectory(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    /**
     * The key pair in {@code identityFile} (OpenSSH or PEM, unencrypted).
     *
     * @throws IOException naming the field and why, when the file is outside the directory, missing or no key
     */
    public KeyPair load(String identityFile) throws IOException {
        Path real = resolve(identityFile);
        try {
            Iterator<KeyPair> keys = new FileKeyPairProvider(real).loadKeys(null).iterator();
            if (!keys.hasNext()) throw new IOException("ssh.identityFile " + identityFile + " holds no private key");
            return keys.next();
        } catch (RuntimeException e) {
            throw new IOException("ssh.identityFile " + identityFile + " cannot be read as a private key: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The real path of {@code identityFile}, checked to lie inside the directory.
     *
     * @throws IOException naming the field and why, when the file is outside the directory or missing
     */
    public Path resolve(String identityFile) throws IOException {
        if (identityFile == null || !ImagePath.staysInside(identityFile)) {
            throw new IOException("ssh.identityFile: must be a path inside the worker's key directory, not "
                    + identityFile);
        }
        Path file = dir.resolve(identityFile).normalize();
        if (!Files.isRegularFile(file)) {
            throw new IOException("ssh.identityFile " + identityFile + " does not exist in the key directory " + dir);
        }
        Path real = file.toRealPath();
        Path root = dir.toRealPath();
        if (!real.startsWith(root)) {
            throw new IOException("ssh.identityFile: must be a path inside the worker's key directory, not "
                    + identityFile + " (it leads to " + real + ", outside " + root + ")");
        }
        return real;
    }
}
