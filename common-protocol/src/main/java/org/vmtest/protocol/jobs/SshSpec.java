package org.vmtest.protocol.jobs;

import java.time.Duration;

/**
 * How the worker reaches the guest over SSH.
 *
 * @param user         login user
 * @param port         SSH port inside the guest
 * @param keyDelivery  how the job's fresh public key reaches the guest
 * @param identityFile for images that trust a fixed key (ISO installers): the private key file, relative to the
 *                     worker's {@code keyDir} (a path that leaves it is refused), used when {@code keyDelivery} is
 *                     {@link KeyDelivery#IDENTITY_FILE}
 * @param connectTimeout how long to keep retrying until the guest answers
 * @param cloudInitUserData with {@link KeyDelivery#CLOUD_INIT}: more cloud-config (a YAML mapping) for the seed's
 *                     {@code user-data}, merged with the job's key; null for none
 */
public record SshSpec(String user, int port, KeyDelivery keyDelivery, String identityFile, Duration connectTimeout,
                      String cloudInitUserData) {

    public enum KeyDelivery {
        /** The worker appends {@code vmtest.ssh_key=<base64 OpenSSH public key>} to the kernel command line. */
        KERNEL_CMDLINE,
        /** The image already trusts the key in {@code identityFile}, a file under the worker's {@code keyDir}. */
        IDENTITY_FILE,
        /**
         * The worker attaches a NoCloud seed (a CD-ROM labelled {@code cidata}) whose {@code user-data} lists the
         * key in {@code ssh_authorized_keys}: any image with cloud-init takes it at boot.
         */
        CLOUD_INIT,
        /**
         * The worker logs in on the serial console with the profile's {@code console.login} steps, appends the job's
         * public key to the user's {@code authorized_keys} there, runs {@code console.startSsh} if given, then
         * goes on over SSH.
         */
        CONSOLE,
        /** No SSH: console-only profiles. */
        NONE
    }

    public static final SshSpec DEFAULT = new SshSpec(null, 0, null, null, null, null);

    public SshSpec(String user, int port, KeyDelivery keyDelivery, String identityFile, Duration connectTimeout) {
        this(user, port, keyDelivery, identityFile, connectTimeout, null);
    }

    public SshSpec {
        if (user == null || user.isBlank()) user = "root";
        if (port == 0) port = 22;
        if (port < 1 || port > 65535) throw new IllegalArgumentException("ssh.port out of range: " + port);
        if (keyDelivery == null) keyDelivery = KeyDelivery.KERNEL_CMDLINE;
        if (keyDelivery == KeyDelivery.IDENTITY_FILE && (identityFile == null || identityFile.isBlank())) {
            throw new IllegalArgumentException("ssh.identityFile is required when ssh.keyDelivery is IDENTITY_FILE");
        }
        if (connectTimeout == null) connectTimeout = Duration.ofMinutes(2);
        if (cloudInitUserData != null && cloudInitUserData.isBlank()) cloudInitUserData = null;
        if (cloudInitUserData != null && keyDelivery != KeyDelivery.CLOUD_INIT) {
            throw new IllegalArgumentException("ssh.cloudInitUserData needs ssh.keyDelivery CLOUD_INIT");
        }
    }
}
