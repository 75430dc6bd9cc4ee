package io.askflow.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves fixed web pages on loopback so fetch-related behaviour (redirects, content types, slow
 * sites) is tested without the internet and with answers that never change under the test.
 * Paths are matched exactly, ignoring the query string; unknown paths get a 404.
 */
public final class FixtureWebServer implements AutoCloseable {

    /** @param together when set, the response waits (up to {@code delay}) until the latch's whole group was requested */
    private record Fixture(int status, String contentType, byte[] body, Map<String, String> headers, Duration delay,
            CountDownLatch together) {
        Fixture(int status, String contentType, byte[] body, Map<String, String> headers, Duration delay) {
            this(status, contentType, body, headers, delay, null);
        }
    }

    private final Map<String, Fixture> fixtures = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpServer server;

    private FixtureWebServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start fixture web server", e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static FixtureWebServer start() {
        return new FixtureWebServer();
    }

    public FixtureWebServer page(String path, String contentType, String body) {
        return respond(path, 200, contentType, body);
    }

    public FixtureWebServer html(String path, String html) {
        return page(path, "text/html; charset=utf-8", html);
    }

    /** Any status with a body, e.g. a 404 page or a 500 from a broken site. */
    public FixtureWebServer respond(String path, int status, String contentType, String body) {
        fixtures.put(checked(path), new Fixture(status, contentType, bytes(body), Map.of(), Duration.ZERO));
        return this;
    }

    /** @param location absolute, or a path on this server such as {@code /target} */
    public FixtureWebServer redirect(String path, String location, int status) {
        fixtures.put(checked(path), new Fixture(status, "text/plain", new byte[0], Map.of("Location", location),
                Duration.ZERO));
        return this;
    }

    /** A page that waits before sending anything, to exercise client timeouts. */
    public FixtureWebServer slow(String path, Duration delay, String contentType, String body) {
        fixtures.put(checked(path), new Fixture(200, contentType, bytes(body), Map.of(), delay));
        return this;
    }

    /**
     * Pages that answer only once every one of them has been requested, so a test sees concurrency as
     * an outcome rather than a duration: fetched one after another, the first waits {@code bound}
     * for the others and gets a 504 naming how many of the group had arrived.
     *
     * @param pages path to HTML body
     */
    public FixtureWebServer together(Duration bound, Map<String, String> pages) {
        CountDownLatch group = new CountDownLatch(pages.size());
        pages.forEach((path, html) -> fixtures.put(checked(path),
                new Fixture(200, "text/html; charset=utf-8", bytes(html), Map.of(), bound, group)));
        return this;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + checked(path);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Requests to {@code path} so far, whether or not a fixture exists for it. */
    public int hits(String path) {
        AtomicInteger count = hits.get(path);
        return count == null ? 0 : count.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            Fixture fixture = fixtures.getOrDefault(path,
                    new Fixture(404, "text/plain; charset=utf-8", bytes("Not found: " + path), Map.of(), Duration.ZERO));
            if (fixture.together() != null) {
                fixture.together().countDown();
                if (!fixture.together().await(fixture.delay().toMillis(), TimeUnit.MILLISECONDS)) {
                    fixture = new Fixture(504, "text/plain; charset=utf-8", bytes("Only part of the group was requested together: "
                            + fixture.together().getCount() + " still missing"), Map.of(), Duration.ZERO);
                }
            } else if (!fixture.delay().isZero()) {
                Thread.sleep(fixture.delay());
            }
            fixture.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.getResponseHeaders().set("Content-Type", fixture.contentType());
            boolean noBody = exchange.getRequestMethod().equals("HEAD") || fixture.body().length == 0;
            exchange.sendResponseHeaders(fixture.status(), noBody ? -1 : fixture.body().length);
            if (!noBody) {
                exchange.getResponseBody().write(fixture.body());
            }
        } catch (IOException e) {
            // The client went away (often on purpose, in timeout tests).
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String checked(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("Fixture paths start with '/': " + path);
        }
        return path;
    }

    private static byte[] bytes(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
