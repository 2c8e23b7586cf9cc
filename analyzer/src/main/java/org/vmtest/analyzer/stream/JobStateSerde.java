package org.vmtest.analyzer.stream;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.vmtest.protocol.codec.Json;

/** The job state store's values, as JSON with the wire mapper (readable in the changelog topic). */
final class JobStateSerde {
    private static final ObjectWriter WRITER = Json.mapper().writerFor(JobState.class);
    private static final ObjectReader READER = Json.mapper().readerFor(JobState.class);

    private JobStateSerde() {
    }

    static Serde<JobState> serde() {
        Serializer<JobState> out = (topic, state) -> {
            if (state == null) return null;
            try {
                return WRITER.writeValueAsBytes(state);
            } catch (IOException e) {
                throw new SerializationException("cannot write the state of job " + state.jobId + ": " + e, e);
            }
        };
        Deserializer<JobState> in = (topic, bytes) -> {
            if (bytes == null) return null;
            try {
                return READER.readValue(bytes);
            } catch (IOException e) {
                // Only this analyzer writes the store: unreadable state is a bug or an incompatible upgrade.
                throw new SerializationException("cannot read a job state from " + topic + ": " + e, e);
            }
        };
        return Serdes.serdeFrom(out, in);
    }
}
