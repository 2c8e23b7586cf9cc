package org.vmtest.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AclFileTest {
    @TempDir
    Path dir;

    @Test
    void aLineBecomesOneAllowAclPerOperationWithThePrefixFilledIn() {
        List<AclBinding> acls = AclFile.parse("worker  Read,AlterConfigs  Group  Literal  ${PREFIX}-workers", "st1");

        assertThat(acls).hasSize(2).allSatisfy(a -> {
            assertThat(a.pattern().resourceType()).isEqualTo(ResourceType.GROUP);
            assertThat(a.pattern().patternType()).isEqualTo(PatternType.LITERAL);
            assertThat(a.pattern().name()).isEqualTo("st1-workers");
            assertThat(a.entry().principal()).isEqualTo("User:worker");
            assertThat(a.entry().host()).isEqualTo("*");
            assertThat(a.entry().permissionType()).isEqualTo(AclPermissionType.ALLOW);
        });
        assertThat(acls).extracting(a -> a.entry().operation())
                .containsExactly(AclOperation.READ, AclOperation.ALTER_CONFIGS);
    }

    @Test
    void prefixedTransactionalIdsAreUnderstood() {
        AclBinding acl = AclFile.parse("analyzer Write TransactionalId Prefixed ${PREFIX}-analyzer-", "vmtest").get(0);

        assertThat(acl.pattern().resourceType()).isEqualTo(ResourceType.TRANSACTIONAL_ID);
        assertThat(acl.pattern().patternType()).isEqualTo(PatternType.PREFIXED);
        assertThat(acl.pattern().name()).isEqualTo("vmtest-analyzer-");
    }

    @Test
    void aBadLineIsRefusedWithFileLineAndReason() throws Exception {
        Path file = Files.writeString(dir.resolve("acls.conf"), "# comment\n\nci Read Topic Literal x\nci Raed Topic Literal y\n");

        assertThatThrownBy(() -> AclFile.read(file, "vmtest"))
                .hasMessage(file + ":4: unknown operation 'Raed'");
        assertThatThrownBy(() -> AclFile.parse("ci Read Cluster Literal kafka-cluster", "p"))
                .hasMessageContaining("unknown resource 'Cluster'");
        assertThatThrownBy(() -> AclFile.parse("ci Read Topic Match x", "p"))
                .hasMessageContaining("pattern must be Literal or Prefixed");
        assertThatThrownBy(() -> AclFile.parse("ci Read Topic x", "p"))
                .hasMessageContaining("need 5 columns");
    }
}
