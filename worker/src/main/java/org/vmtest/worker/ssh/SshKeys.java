package org.vmtest.worker.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/**
 * A fresh key pair per job, made by the JDK and kept in memory: ECDSA P-256, which every SSH server of the last
 * decade accepts (dropbear included) and which needs no extra crypto library.
 */
public final class SshKeys {
    private SshKeys() {
    }

    public static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make an EC P-256 key pair", e);
        }
    }

    /** The public key as one {@code authorized_keys} line, e.g. {@code ecdsa-sha2-nistp256 AAAA... vmtest-job}. */
    public static String openSshPublicLine(KeyPair keys, String comment) {
        return PublicKeyEntry.toString(keys.getPublic()) + (comment == null || comment.isBlank() ? "" : " " + comment);
    }

    /** Writes the private key in OpenSSH format, readable by its owner only (ssh refuses it otherwise). */
    public static void writePrivateKey(KeyPair keys, Path file, String comment) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keys, comment, null, out);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encode the private key: " + e.getMessage(), e);
        }
    }
}
