package org.vmtest.kafka.embedded;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.ScramMechanism;

/**
 * SASL/SCRAM-SHA-512 on a broker listener with Kafka's standard KRaft authorizer, and the client settings that log
 * in to it. The admin user is a super user and the identity the broker itself uses on its own listener.
 *
 * <p>The controller listener takes SASL/PLAIN, as deploy/compose's does: KRaft controllers cannot authenticate with
 * SCRAM (the credentials live in the metadata they serve), so the nodes log in to the controllers as the admin with
 * a password from the static JAAS configuration. No listener is unauthenticated and {@code User:ANONYMOUS} is no
 * super user. PLAIN sends the password as it is: over SASL_PLAINTEXT keep the controller port on loopback or a
 * private network (see docs/security.md).
 */
public record Scram(String adminUser, String adminPassword) {
    public static final ScramMechanism MECHANISM = ScramMechanism.SCRAM_SHA_512;
    /** The broker listener's name and protocol. */
    static final String LISTENER = "SASL_PLAINTEXT";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public Scram {
        Objects.requireNonNull(adminUser, "adminUser");
        Objects.requireNonNull(adminPassword, "adminPassword");
        if (!NAME.matcher(adminUser).matches()) {
            throw new IllegalArgumentException("SCRAM user must match " + NAME.pattern() + ", got '" + adminUser + "'");
        }
        if (adminPassword.isEmpty() || adminPassword.contains("\"") || adminPassword.contains("\\")) {
            throw new IllegalArgumentException("SCRAM password must be non-empty, without \" or \\");
        }
    }

    /** {@code security.protocol}, {@code sasl.mechanism} and {@code sasl.jaas.config} for logging in as {@code user}. */
    public static Map<String, String> clientProperties(String user, String password) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_PLAINTEXT");
        p.put("sasl.mechanism", MECHANISM.mechanismName());
        p.put("sasl.jaas.config", jaas(user, password));
        return p;
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** Broker settings replacing the plain listener of {@link EmbeddedKafka#defaults}. */
    Map<String, String> brokerProperties(String host, int port, int controllerPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("listeners", LISTENER + "://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
        p.put("advertised.listeners", LISTENER + "://" + host + ":" + port);
        p.put("listener.security.protocol.map", LISTENER + ":SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        p.put("inter.broker.listener.name", LISTENER);
        p.put("sasl.enabled.mechanisms", MECHANISM.mechanismName());
        p.put("sasl.mechanism.inter.broker.protocol", MECHANISM.mechanismName());
        p.put("listener.name." + LISTENER.toLowerCase() + "." + MECHANISM.mechanismName().toLowerCase()
                + ".sasl.jaas.config", jaas(adminUser, adminPassword));
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("allow.everyone.if.no.acl.found", "false");
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        // The node's own login to the controllers (username, password) and the one account they accept (user_NAME).
        p.put("listener.name.controller.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + adminUser
                        + "\" password=\"" + adminPassword + "\" user_" + adminUser + "=\"" + adminPassword + "\";");
        p.put("super.users", "User:" + adminUser);
        return p;
    }

    /** The storage formatter's {@code --add-scram} argument: the admin exists before the broker first starts. */
    String formatArgument() {
        return MECHANISM.mechanismName() + "=[name=" + adminUser + ",password=" + adminPassword + "]";
    }

    @Override
    public String toString() {
        return "Scram[adminUser=" + adminUser + ", adminPassword=***]";
    }
}
