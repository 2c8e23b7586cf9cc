package org.vmtest.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DurationJsonTest {

    @ParameterizedTest
    @CsvSource({"\"90s\",PT1M30S", "\"5m\",PT5M", "\"1h\",PT1H", "\"250ms\",PT0.25S", "\"PT2M\",PT2M", "30,PT30S",
            "1.5,PT1.5S"})
    void durationsAreReadAsPeopleWriteThem(String json, String expected) throws Exception {
        assertThat(Json.mapper().readValue(json, Duration.class)).isEqualTo(Duration.parse(expected));
    }

    @Test
    void aDurationThatIsNoDurationSaysWhatIsExpected() {
        assertThatThrownBy(() -> Json.mapper().readValue("\"soon\"", Duration.class))
                .isInstanceOf(InvalidFormatException.class)
                .hasMessageContaining("expected a duration such as 90s");
    }

    @Test
    void durationsAreWrittenAsIsoText() throws Exception {
        assertThat(Json.mapper().writeValueAsString(Duration.ofSeconds(90))).isEqualTo("\"PT1M30S\"");
    }
}
