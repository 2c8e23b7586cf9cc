package org.vmtest.coordinator.archive;

import java.util.Arrays;
import java.util.Optional;

/** The logs archived per job, by the name the API uses. */
public enum LogName {
    /** Lines of the guest's serial console. */
    CONSOLE("console", "console.log"),
    /** SSH output of the installation steps. */
    INSTALL("install", "install.log"),
    /** SSH output of the tests. */
    TEST("test", "test.log"),
    /** Every record of the job on {@code vmtest.stream}, as JSON lines. */
    STREAM("stream", "stream.jsonl"),
    /** The analyzer's findings and thoughts about the job. */
    THOUGHTS("thoughts", "thoughts.log");

    private final String apiName;
    private final String fileName;

    LogName(String apiName, String fileName) {
        this.apiName = apiName;
        this.fileName = fileName;
    }

    public String fileName() {
        return fileName;
    }

    public static Optional<LogName> of(String apiName) {
        return Arrays.stream(values()).filter(n -> n.apiName.equals(apiName)).findFirst();
    }
}
