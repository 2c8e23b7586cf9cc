package org.vmtest.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OpsEndpointTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> send(OpsEndpoint endpoint, String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAreScrapedInPrometheusFormatAndHealthFollowsTheService() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("vmtest_things", "kind", "test").increment(3);
        AtomicBoolean healthy = new AtomicBoolean(true);
        try (OpsEndpoint endpoint = OpsEndpoint.start("127.0.0.1:0", "test-ops-http", registry,
                () -> new OpsEndpoint.Health(healthy.get(), healthy.get() ? "RUNNING" : "libvirt gone"))) {
            HttpResponse<String> metrics = send(endpoint, "GET", "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(metrics.body()).contains("vmtest_things_total{kind=\"test\"} 3.0");

            assertThat(send(endpoint, "GET", "/health")).satisfies(r -> {
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("RUNNING\n");
            });
            healthy.set(false);
            assertThat(send(endpoint, "GET", "/health")).satisfies(r -> {
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).isEqualTo("libvirt gone\n");
            });
            HttpResponse<String> post = send(endpoint, "POST", "/metrics");
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        }
    }

    @Test
    void aMalformedAddressIsRefusedWithWhatIsWrong() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        assertThatThrownBy(() -> OpsEndpoint.start("localhost", "t", registry, () -> null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected host:port, got 'localhost'");
        assertThatThrownBy(() -> OpsEndpoint.start("127.0.0.1:http", "t", registry, () -> null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port of '127.0.0.1:http' is not a number");
    }
}
