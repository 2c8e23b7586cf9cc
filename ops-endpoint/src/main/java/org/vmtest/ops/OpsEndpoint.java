package org.vmtest.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A service's two endpoints for machines, on the JDK's own HTTP server (the analyzer and the worker have no web
 * stack, and a scrape a few times a minute needs none): {@code GET /metrics} in Prometheus text format, and
 * {@code GET /health}, 200 while the service says it is healthy and 503 otherwise, for systemd, a load balancer or
 * an orchestrator.
 */
public final class OpsEndpoint implements AutoCloseable {
    /** What {@code /health} answers: the status code follows {@code healthy}, the body is {@code text}. */
    public record Health(boolean healthy, String text) {
    }

    private static final Pattern PORT = Pattern.compile("\\d{1,5}");

    private final HttpServer server;

    private OpsEndpoint(HttpServer server) {
        this.server = server;
    }

    /**
     * Checks the syntax of {@code host:port} (an empty host is every interface, port 0 any free port) without
     * resolving the host: configs call it when they are read, the bind tells whether the host exists.
     *
     * @throws IllegalArgumentException naming what is wrong, with the address quoted
     */
    public static InetSocketAddress parseAddress(String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("expected host:port, got '" + address + "'");
        String host = address.substring(0, colon);
        if (host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("the host of '" + address + "' contains a space");
        }
        if (!PORT.matcher(address.substring(colon + 1)).matches()) {
            throw new IllegalArgumentException("the port of '" + address + "' is not a number");
        }
        int port = Integer.parseInt(address.substring(colon + 1));
        if (port > 65535) throw new IllegalArgumentException("the port of '" + address + "' is above 65535");
        return InetSocketAddress.createUnresolved(host.isEmpty() ? "0.0.0.0" : host, port);
    }

    /**
     * @param address {@code host:port}, as {@link #parseAddress} takes it
     * @param name    names the serving thread, e.g. {@code analyzer-metrics-http}
     * @throws IllegalArgumentException when the address is malformed
     * @throws IOException              when it cannot be bound
     */
    public static OpsEndpoint start(String address, String name, PrometheusMeterRegistry registry,
                                    Supplier<Health> health) throws IOException {
        InetSocketAddress where = parseAddress(address);
        HttpServer server = HttpServer.create(new InetSocketAddress(where.getHostString(), where.getPort()), 16);
        server.createContext("/metrics", exchange -> {
            if (refuseNonGet(exchange)) return;
            respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        });
        server.createContext("/health", exchange -> {
            if (refuseNonGet(exchange)) return;
            Health now = health.get();
            respond(exchange, now.healthy() ? 200 : 503, "text/plain; charset=utf-8", now.text() + "\n");
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return new OpsEndpoint(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static boolean refuseNonGet(HttpExchange exchange) throws IOException {
        if (exchange.getRequestMethod().equals("GET") || exchange.getRequestMethod().equals("HEAD")) return false;
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, 405, "text/plain; charset=utf-8", "only GET\n");
        return true;
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!head) out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
