package org.vmtest.cli.client;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How a command reaches the coordinator: shared by every command that calls its API. */
public final class CoordinatorOptions {
    /** Where {@code vmtest dev} writes its API token, so commands on the same machine find it. */
    public static final Path DEV_TOKEN = Path.of("vmtest-out", "dev", "token");

    @Option(names = "--url", defaultValue = "${env:VMTEST_URL:-http://127.0.0.1:8080}",
            description = "the coordinator (default: $VMTEST_URL or ${DEFAULT-VALUE})")
    URI url;

    @Option(names = "--token", defaultValue = "${env:VMTEST_TOKEN}",
            description = "API token (default: $VMTEST_TOKEN, else the one `vmtest dev` wrote to " + "vmtest-out/dev/token)")
    String token;

    @Option(names = "--retry-for", defaultValue = "${env:VMTEST_RETRY_FOR:-PT60S}",
            description = "keep retrying while the coordinator is unreachable or answers 503, e.g. while it restarts "
                    + "(ISO-8601; default: $VMTEST_RETRY_FOR or ${DEFAULT-VALUE}; PT0S tries once)")
    Duration retryFor;

    /** The coordinator's base URL: its web view's links start here. */
    public URI url() {
        return url;
    }

    public CoordinatorClient client() {
        return new CoordinatorClient(url, token != null ? token : devToken(), retryFor);
    }

    private static String devToken() {
        try {
            return Files.isReadable(DEV_TOKEN) ? Files.readString(DEV_TOKEN).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
