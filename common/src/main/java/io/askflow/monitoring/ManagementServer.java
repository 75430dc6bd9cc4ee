package io.askflow.monitoring;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.askflow.message.Json;
import io.askflow.service.HttpServers;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The management endpoints of one process, on their own port ({@code ASKFLOW_MANAGEMENT_PORT}) so
 * that they are never exposed with the gateway's API: {@code GET /metrics} (Prometheus text),
 * {@code GET /healthz} (the loops run) and {@code GET /readyz} (every readiness check passes; 503
 * with a JSON body naming the checks that fail otherwise).
 */
public final class ManagementServer implements AutoCloseable {
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    private ManagementServer(int port, Monitoring monitoring) throws IOException {
        server = HttpServers.create(new InetSocketAddress(port), 16);
        server.setExecutor(executor);
        server.createContext("/metrics", ex -> respond(ex, 200, PROMETHEUS_TEXT, monitoring.scrape()));
        server.createContext("/healthz", ex -> health(ex, monitoring.liveness().map(p -> Map.of("process", p))
                .orElse(Map.of())));
        server.createContext("/readyz", ex -> health(ex, monitoring.readiness().problems()));
        server.start();
    }

    /** Serves {@code monitoring} on {@code port} (0: a free one); a port in use throws a {@link java.net.BindException}. */
    public static ManagementServer start(int port, Monitoring monitoring) throws IOException {
        return new ManagementServer(port, monitoring);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void health(HttpExchange ex, Map<String, String> problems) throws IOException {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("status", problems.isEmpty() ? "ok" : "unavailable");
        if (!problems.isEmpty()) {
            ObjectNode failing = body.putObject("failing");
            problems.forEach(failing::put);
        }
        respond(ex, problems.isEmpty() ? 200 : 503, "application/json", body.toString());
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(status, "HEAD".equals(ex.getRequestMethod()) ? -1 : bytes.length);
            if (!"HEAD".equals(ex.getRequestMethod())) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
