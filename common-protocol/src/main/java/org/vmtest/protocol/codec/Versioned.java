package org.vmtest.protocol.codec;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Every record on the wire says which schema version wrote it. Readers ignore fields they do not know,
 * so a version bump is needed only when a field changes meaning or disappears.
 */
public interface Versioned {
    int SCHEMA_VERSION = 1;

    @JsonProperty(value = "schema", access = JsonProperty.Access.READ_ONLY, index = 0)
    default int schema() {
        return SCHEMA_VERSION;
    }
}
