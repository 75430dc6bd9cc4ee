package io.askflow.gateway;

import com.sun.net.httpserver.HttpExchange;
import io.askflow.message.ErrorCode;
import io.askflow.message.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP call as the API's handlers see it: the authenticated tenant, the path split into
 * segments, query parameters, a bounded body, and JSON responses with coded errors.
 */
record HttpCall(HttpExchange exchange, String tenantId, List<String> segments) {

    /** A handler's way of saying "answer with this coded error"; the API turns it into the response. */
    static final class Failure extends RuntimeException {
        final int status;
        final ErrorCode code;

        Failure(int status, ErrorCode code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    static Failure notFound(String what) {
        return new Failure(404, ErrorCode.INVALID_REQUEST, what + " was not found");
    }

    static Failure badRequest(String message) {
        return new Failure(400, ErrorCode.INVALID_REQUEST, message);
    }

    String method() {
        return exchange.getRequestMethod();
    }

    String segment(int i) {
        return i < segments.size() ? segments.get(i) : "";
    }

    Optional<String> query(String name) {
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null) {
            return Optional.empty();
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (k.equals(name)) {
                return Optional.of(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
    }

    /** At most {@code max} bytes; a larger body is a 413, never silently cut. */
    byte[] body(int max) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(max + 1);
            if (body.length > max) {
                throw new Failure(413, ErrorCode.TOO_LARGE, "The body exceeds " + max + " bytes");
            }
            return body;
        }
    }

    void respond(int status, Object body) throws IOException {
        byte[] bytes = Json.write(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    void error(int status, ErrorCode code, String message) throws IOException {
        respond(status, Map.of("error", Map.of("code", code.wire(), "message", message)));
    }
}
