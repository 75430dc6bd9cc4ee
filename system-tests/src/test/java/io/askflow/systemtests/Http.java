package io.askflow.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.message.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The gateway's HTTP API as a test calls it, with or without an API key. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;
    private final String key;

    public Http(int port, String key) {
        this.port = port;
        this.key = key;
    }

    public record Response(int status, String body) {
        public JsonNode json() {
            return Json.tree(body);
        }
    }

    public Response get(String path, String... headers) throws Exception {
        return send(builder(path, headers).GET());
    }

    Response delete(String path) throws Exception {
        return send(builder(path).DELETE());
    }

    Response post(String path, String contentType, byte[] body, String... headers) throws Exception {
        return send(builder(path, headers).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    Response postJson(String path, String json, String... headers) throws Exception {
        return post(path, "application/json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
    }

    /** A JSON POST allowed {@code timeout} instead of the usual 90 s (a large batch job on a busy machine). */
    Response postJson(String path, String json, Duration timeout) throws Exception {
        return send(builder(path).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    Response putJson(String path, String json) throws Exception {
        return send(builder(path).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** An open Server-Sent Events stream; {@code status} tells whether it is one. */
    public SseStream stream(String method, String path, String jsonBody, String... headers) throws Exception {
        HttpRequest.Builder b = builder(path, headers).header("Accept", "text/event-stream");
        b = jsonBody == null ? b.GET() : b.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        HttpResponse<java.io.InputStream> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        return new SseStream(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    private HttpRequest.Builder builder(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(90));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }

    private static Response send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body());
    }
}
