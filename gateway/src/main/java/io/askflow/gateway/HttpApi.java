package io.askflow.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.askflow.kafka.Outgoing;
import io.askflow.message.Answer;
import io.askflow.message.ErrorCode;
import io.askflow.message.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP API:
 * <ul>
 *   <li>{@code POST /v1/prompts[?wait=SECONDS]} submits a PromptRequest; 202 with the ids, or 200
 *       with the answer when it arrives within the wait;</li>
 *   <li>{@code GET /v1/answers/{requestId}[?wait=SECONDS]} returns the answer, 202 while pending;</li>
 *   <li>{@code GET /healthz}.</li>
 * </ul>
 * Errors are {@code {"error":{"code","message"}}} with a code from the closed list.
 */
final class HttpApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final Duration MAX_WAIT = Duration.ofMinutes(2);

    private final HttpServer server;
    private final Admission admission;
    private final AnswerBook answers;
    private final Submissions submissions;
    private final Producer<String, byte[]> producer;
    private final int maxRequestBytes;

    HttpApi(int port, Admission admission, AnswerBook answers, Submissions submissions, Producer<String, byte[]> producer,
            int maxRequestBytes) throws IOException {
        this.admission = admission;
        this.answers = answers;
        this.submissions = submissions;
        this.producer = producer;
        this.maxRequestBytes = maxRequestBytes;
        this.server = HttpServer.create(new InetSocketAddress(port), 128);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        // One context for every path, so unknown paths also get a coded JSON error, not the JDK's HTML 404.
        server.createContext("/", this::guarded);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(1);
    }

    /** No request, however malformed, escapes as an unhandled exception or a connection reset. */
    private void guarded(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/healthz")) {
                respond(ex, 200, Map.of("status", "ok"));
            } else if (path.equals("/v1/prompts") && ex.getRequestMethod().equals("POST")) {
                submit(ex);
            } else if (path.startsWith("/v1/answers/") && ex.getRequestMethod().equals("GET")) {
                lookUp(ex, path.substring("/v1/answers/".length()));
            } else {
                error(ex, 404, ErrorCode.INVALID_REQUEST, "No such endpoint: " + ex.getRequestMethod() + " " + path);
            }
        } catch (IllegalArgumentException e) {
            error(ex, 400, ErrorCode.INVALID_REQUEST, e.getMessage());
        } catch (Exception e) {
            LOG.error("HTTP {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getPath(), e);
            error(ex, 500, ErrorCode.INTERNAL, "The gateway failed to handle the request; it has been logged");
        } finally {
            ex.close();
        }
    }

    private void submit(HttpExchange ex) throws Exception {
        Duration wait = waitParameter(ex.getRequestURI());
        byte[] body = readBounded(ex.getRequestBody());
        String fallbackId = UUID.randomUUID().toString();
        Admission.Result result = admission.admit(body, fallbackId, "http:" + fallbackId, null);
        for (Outgoing o : result.records()) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(o.topic(), o.key(), o.value());
            ex.getRequestHeaders().getOrDefault("traceparent", java.util.List.of()).stream().findFirst()
                    .ifPresent(t -> r.headers().add("traceparent", t.getBytes(StandardCharsets.UTF_8)));
            producer.send(r).get();
        }
        switch (result.verdict()) {
            case Verdict.Rejected r -> error(ex, r.code() == ErrorCode.TOO_LARGE ? 413 : 400, r.code(), r.message());
            case Verdict.Accepted a -> {
                String requestId = a.turn().requestId();
                String conversationId = result.duplicate()
                        ? submissions.conversationOf(requestId).orElse(a.turn().conversationId())
                        : a.turn().conversationId();
                Optional<Answer> answer = wait.isZero() ? Optional.empty() : answers.await(requestId, wait);
                if (answer.isPresent()) {
                    respond(ex, 200, answer.get());
                } else {
                    Map<String, Object> accepted = new LinkedHashMap<>();
                    accepted.put("requestId", requestId);
                    accepted.put("conversationId", conversationId);
                    accepted.put("status", result.duplicate() ? "duplicate" : "accepted");
                    accepted.put("answerUrl", "/v1/answers/" + requestId);
                    respond(ex, 202, accepted);
                }
            }
        }
    }

    private void lookUp(HttpExchange ex, String requestId) throws Exception {
        if (requestId.isEmpty() || requestId.contains("/")) {
            error(ex, 400, ErrorCode.INVALID_REQUEST, "Expected /v1/answers/{requestId}");
            return;
        }
        Duration wait = waitParameter(ex.getRequestURI());
        Optional<Answer> answer = answers.await(requestId, wait);
        if (answer.isPresent()) {
            respond(ex, 200, answer.get());
        } else if (submissions.conversationOf(requestId).isPresent()) {
            respond(ex, 202, Map.of("requestId", requestId, "status", "pending"));
        } else {
            error(ex, 404, ErrorCode.INVALID_REQUEST, "No request with id " + requestId + " was accepted");
        }
    }

    private byte[] readBounded(InputStream in) throws IOException {
        // Read one byte past the limit so that an oversized body is reported as too_large, not truncated.
        byte[] body = in.readNBytes(maxRequestBytes + 1);
        in.close();
        return body;
    }

    private static Duration waitParameter(URI uri) {
        String query = uri.getRawQuery();
        if (query == null) {
            return Duration.ZERO;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("wait=")) {
                String v = pair.substring(5);
                try {
                    Duration d = Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
                    if (d.isNegative()) {
                        throw new IllegalArgumentException("wait must not be negative");
                    }
                    return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("wait must be a number of seconds, was '" + v + "'");
                }
            }
        }
        return Duration.ZERO;
    }

    private static void error(HttpExchange ex, int status, ErrorCode code, String message) throws IOException {
        respond(ex, status, Map.of("error", Map.of("code", code.wire(), "message", message)));
    }

    private static void respond(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = Json.write(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
