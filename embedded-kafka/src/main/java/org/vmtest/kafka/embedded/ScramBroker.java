package org.vmtest.kafka.embedded;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AclBinding;

/**
 * A test broker administered as its super user: SCRAM users and ACLs. The in-process broker ({@link EmbeddedKafka})
 * and the child-process one ({@link EmbeddedKafkaProcess}) both are.
 */
public interface ScramBroker {
    String bootstrapServers();

    /**
     * What a client needs besides {@code bootstrap.servers} to connect as the broker's admin (a super user): empty
     * for a plain broker, the SASL settings for one started with SCRAM.
     */
    Map<String, String> adminClientProperties();

    /** Creates (or changes the password of) SCRAM user {@code name}; only for a broker started with SCRAM. */
    default void upsertScramUser(String name, String password) {
        if (adminClientProperties().isEmpty()) throw new IllegalStateException("this broker was not started with SASL/SCRAM");
        ScramAdmin.upsertUser(adminConfig(), name, password);
    }

    /** Adds ACLs, as the broker's admin. */
    default void addAcls(Collection<AclBinding> acls) {
        ScramAdmin.addAcls(adminConfig(), acls);
    }

    private Map<String, Object> adminConfig() {
        Map<String, Object> props = new LinkedHashMap<>(adminClientProperties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin");
        return props;
    }
}
