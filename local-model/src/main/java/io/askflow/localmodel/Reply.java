package io.askflow.localmodel;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link ChatBackend} wants sent back. Failures are ordinary values rather than exceptions
 * so that tests can script "429, then success" exactly like any other reply.
 *
 * <p>Every variant carries a {@link #delay()} the server waits before answering, which is how
 * timeouts and slow models are simulated without touching the client.
 */
public sealed interface Reply permits Reply.Text, Reply.ToolCalls, Reply.Error, Reply.Streamed {

    Duration delay();

    Reply withDelay(Duration delay);

    /** @param finishReason usually {@code stop}; {@code length} simulates a truncated answer */
    record Text(String content, String finishReason, Duration delay) implements Reply {
        public Text {
            Objects.requireNonNull(content, "content");
            finishReason = finishReason == null ? "stop" : finishReason;
            delay = nonNegative(delay);
        }

        @Override
        public Text withDelay(Duration delay) {
            return new Text(content, finishReason, delay);
        }
    }

    record ToolCalls(List<ToolCall> calls, Duration delay) implements Reply {
        public ToolCalls {
            calls = List.copyOf(calls);
            if (calls.isEmpty()) {
                throw new IllegalArgumentException("A tool-call reply needs at least one call");
            }
            delay = nonNegative(delay);
        }

        @Override
        public ToolCalls withDelay(Duration delay) {
            return new ToolCalls(calls, delay);
        }
    }

    /**
     * An HTTP error rendered as OpenAI's {@code {"error":{...}}} body.
     *
     * @param headers extra response headers such as {@code Retry-After}
     */
    record Error(int status, String message, String type, String param, String code,
                 Map<String, String> headers, Duration delay) implements Reply {
        public Error {
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("Error status must be 4xx or 5xx: " + status);
            }
            Objects.requireNonNull(message, "message");
            headers = Map.copyOf(headers == null ? Map.of() : headers);
            delay = nonNegative(delay);
        }

        @Override
        public Error withDelay(Duration delay) {
            return new Error(status, message, type, param, code, headers, delay);
        }

        public Error withHeader(String name, String value) {
            var copy = new LinkedHashMap<>(headers);
            copy.put(name, value);
            return new Error(status, message, type, param, code, copy, delay);
        }

        public Error withCode(String newCode) {
            return new Error(status, message, type, param, newCode, headers, delay);
        }
    }

    /**
     * A text or tool-call reply that, when the request streams, arrives as a model writes it: text
     * one word (token) per chunk, tool-call arguments in pieces of {@link #ARGUMENT_PIECE} characters
     * with the pieces of parallel calls interleaved, and {@code tokenDelay} before every content
     * chunk but the first. {@code breakAfter} of zero or more cuts the stream after that many
     * content chunks, without a finish reason or {@code [DONE]}: a model failing mid-stream. A
     * request that does not stream gets the whole reply at once, as from {@code reply} itself.
     */
    record Streamed(Reply reply, Duration tokenDelay, int breakAfter) implements Reply {
        public static final int ARGUMENT_PIECE = 5;

        public Streamed {
            if (!(reply instanceof Text) && !(reply instanceof ToolCalls)) {
                throw new IllegalArgumentException("Only text and tool-call replies stream: " + reply);
            }
            tokenDelay = nonNegative(tokenDelay);
        }

        @Override
        public Duration delay() {
            return reply.delay();
        }

        @Override
        public Streamed withDelay(Duration delay) {
            return new Streamed(reply.withDelay(delay), tokenDelay, breakAfter);
        }

        /** The same stream, cut after {@code chunks} content chunks. */
        public Streamed breakingAfter(int chunks) {
            return new Streamed(reply, tokenDelay, chunks);
        }
    }

    /** {@code reply} streamed token by token, {@code tokenDelay} apart. */
    static Streamed streamed(Reply reply, Duration tokenDelay) {
        return new Streamed(reply, tokenDelay, -1);
    }

    static Text text(String content) {
        return new Text(content, "stop", Duration.ZERO);
    }

    static ToolCalls toolCall(String name, String argumentsJson) {
        return new ToolCalls(List.of(ToolCall.of(name, argumentsJson)), Duration.ZERO);
    }

    static ToolCalls toolCalls(ToolCall... calls) {
        return new ToolCalls(Arrays.asList(calls), Duration.ZERO);
    }

    /** An error whose {@code type} follows what OpenAI sends for that status. */
    static Error error(int status, String message) {
        String type = switch (status) {
            case 401 -> "invalid_request_error";
            case 403 -> "permission_error";
            case 429 -> "requests";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
        return new Error(status, message, type, null, null, Map.of(), Duration.ZERO);
    }

    static Error badRequest(String message, String param) {
        return new Error(400, message, "invalid_request_error", param, null, Map.of(), Duration.ZERO);
    }

    static Error unauthorized() {
        return error(401, "Incorrect API key provided.").withCode("invalid_api_key");
    }

    /**
     * A 429 with both {@code Retry-After} (whole seconds, rounded up) and {@code retry-after-ms},
     * the two headers openai-java reads to schedule its own retry.
     */
    static Error rateLimited(Duration retryAfter) {
        long millis = Math.max(0, retryAfter.toMillis());
        return error(429, "Rate limit reached. Please try again in " + millis + "ms.")
                .withCode("rate_limit_exceeded")
                .withHeader("Retry-After", Long.toString((millis + 999) / 1000))
                .withHeader("retry-after-ms", Long.toString(millis));
    }

    static Error serverError() {
        return error(500, "The server had an error while processing your request.");
    }

    static Error unavailable() {
        return error(503, "The engine is currently overloaded, please try again later.")
                .withCode("service_unavailable");
    }

    private static Duration nonNegative(Duration delay) {
        if (delay == null) {
            return Duration.ZERO;
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        return delay;
    }
}
