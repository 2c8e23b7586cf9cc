package org.vmtest.kafka.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Reads the deployment's ACL list ({@code deploy/kafka/acls.conf}), the same file the compose cluster's init
 * service hands to {@code kafka-acls.sh}, so a test runs with exactly the ACLs a deployment gets.
 *
 * <pre>
 * # principal  operations   resource  pattern   name
 * worker       Read         Topic     Literal   ${PREFIX}.jobs
 * </pre>
 *
 * Each line allows its operations to {@code User:<principal>} from any host; {@code ${PREFIX}} becomes the topic
 * prefix. Operations and resources are spelled as {@code kafka-acls.sh} takes them ({@code AlterConfigs},
 * {@code TransactionalId}).
 */
public final class AclFile {
    private static final Map<String, ResourceType> RESOURCES = Map.of(
            "topic", ResourceType.TOPIC, "group", ResourceType.GROUP, "transactionalid", ResourceType.TRANSACTIONAL_ID);

    private AclFile() {
    }

    public static List<AclBinding> read(Path file, String prefix) throws IOException {
        List<AclBinding> acls = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            try {
                acls.addAll(parse(line, prefix));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(acls);
    }

    /** The principals the file names, e.g. {@code coordinator}, in the order they first appear. */
    public static List<String> principals(List<AclBinding> acls) {
        return acls.stream().map(a -> a.entry().principal().substring("User:".length())).distinct().toList();
    }

    static List<AclBinding> parse(String line, String prefix) {
        String[] f = line.split("\\s+");
        if (f.length != 5) {
            throw new IllegalArgumentException("need 5 columns (principal operations resource pattern name), got "
                    + f.length + ": " + line);
        }
        ResourceType resource = RESOURCES.get(f[2].toLowerCase(Locale.ROOT));
        if (resource == null) throw new IllegalArgumentException("unknown resource '" + f[2] + "' (Topic, Group, TransactionalId)");
        PatternType pattern = PatternType.fromString(f[3].toUpperCase(Locale.ROOT));
        if (pattern != PatternType.LITERAL && pattern != PatternType.PREFIXED) {
            throw new IllegalArgumentException("pattern must be Literal or Prefixed, got '" + f[3] + "'");
        }
        String name = f[4].replace("${PREFIX}", prefix);
        List<AclBinding> acls = new ArrayList<>();
        for (String op : f[1].split(",")) {
            AclOperation operation = AclOperation.fromString(op.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
            if (operation == AclOperation.UNKNOWN || operation == AclOperation.ANY) {
                throw new IllegalArgumentException("unknown operation '" + op + "'");
            }
            acls.add(new AclBinding(new ResourcePattern(resource, name, pattern),
                    new AccessControlEntry("User:" + f[0], "*", operation, AclPermissionType.ALLOW)));
        }
        return acls;
    }
}
