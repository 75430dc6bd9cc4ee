package io.askflow.localmodel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks enough of OpenAI's chat-completions HTTP API that the official SDK cannot tell it from
 * the real service, so askflow runs offline and tests exercise the real client code path
 * (serialization, streaming, retries, error mapping) instead of a mocked interface.
 *
 * <p>Built on the JDK's own HTTP server to keep the dependency footprint at Jackson and SLF4J.
 * Each exchange runs on its own virtual thread, so scripted delays cost nothing.
 */
public final class ChatCompletionsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChatCompletionsServer.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final int ACCEPT_BACKLOG = 4096;
    /**
     * The JDK's server keeps at most 200 idle keep-alive connections per JVM and closes every further
     * one after its response without saying so; openai-java's pools (a model-caller keeps up to 8,192)
     * would then send their next calls on closed connections and fail them under a burst. Read once,
     * when the JVM's first server starts; raised here unless set, as askflow's services do
     * ({@code io.askflow.service.HttpServers}, in a module this one does not depend on).
     */
    private static final String MAX_IDLE_CONNECTIONS_PROPERTY = "sun.net.httpserver.maxIdleConnections";
    private static final int MAX_IDLE_CONNECTIONS = 16_384;

    private final HttpServer server;
    private final ExecutorService executor;
    private final ChatBackend backend;
    private final Consumer<IncomingRequest> observer;

    private ChatCompletionsServer(Builder builder) throws IOException {
        this.backend = builder.backend;
        this.observer = builder.observer;
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        // A load test opens thousands of connections at once; the JDK's default accept backlog (50)
        // would drop the rest, and their clients would wait out TCP's one-second SYN retry.
        if (System.getProperty(MAX_IDLE_CONNECTIONS_PROPERTY) == null) {
            System.setProperty(MAX_IDLE_CONNECTIONS_PROPERTY, Integer.toString(MAX_IDLE_CONNECTIONS));
        }
        this.server = HttpServer.create(new InetSocketAddress(builder.host, builder.port), ACCEPT_BACKLOG);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        log.debug("Chat-completions server listening on {}", baseUrl());
    }

    /** On an ephemeral loopback port: the usual choice for tests and the offline default. */
    public static ChatCompletionsServer start(ChatBackend backend) {
        return builder(backend).start();
    }

    public static Builder builder(ChatBackend backend) {
        return new Builder(backend);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The value for the SDK's {@code baseUrl}, including the {@code /v1} prefix. */
    public String baseUrl() {
        return "http://" + server.getAddress().getHostString() + ":" + port() + "/v1";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/v1/chat/completions") || path.equals("/chat/completions")) {
                if (method.equals("POST")) {
                    chatCompletion(exchange);
                } else {
                    sendError(exchange, Reply.error(405, "Use POST for " + path));
                }
            } else if (path.equals("/v1/models") || path.equals("/models")) {
                sendJson(exchange, 200, models());
            } else {
                sendError(exchange, Reply.error(404, "Invalid URL (" + method + " " + path + ")"));
            }
        } catch (IOException | UncheckedIOException e) {
            // Usually the client gave up (timeout, cancelled stream); nothing left to answer.
            log.debug("Exchange aborted: {}", e.toString());
        } catch (RuntimeException e) {
            log.error("Unexpected failure serving {}", exchange.getRequestURI(), e);
        }
    }

    private void chatCompletion(HttpExchange exchange) throws IOException {
        Instant arrival = Instant.now();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        ChatRequest request;
        try {
            request = ChatRequest.fromJson(MAPPER.readTree(body));
        } catch (JsonProcessingException e) {
            sendError(exchange, Reply.badRequest("We could not parse the JSON body of your request. "
                    + "(HINT: This likely means you aren't using your HTTP library correctly.)", null));
            return;
        } catch (IllegalArgumentException e) {
            sendError(exchange, Reply.badRequest(e.getMessage(), null));
            return;
        }
        observer.accept(new IncomingRequest(request, body, exchange.getRequestHeaders(), arrival));

        Reply reply;
        try {
            reply = Objects.requireNonNull(backend.reply(request), "backend returned no reply");
        } catch (RuntimeException e) {
            log.warn("Backend failed; answering 500", e);
            sendError(exchange, Reply.serverError());
            return;
        }
        if (!pause(reply.delay())) {
            return;
        }
        var renderer = new CompletionRenderer(MAPPER, backend.servedModel().orElse(request.model()),
                backend.systemFingerprint());
        switch (reply) {
            case Reply.Error e -> sendError(exchange, e);
            default -> {
                if (request.stream()) {
                    stream(exchange, renderer, request, reply);
                } else {
                    sendJson(exchange, 200, renderer.completion(request, reply));
                }
            }
        }
    }

    /**
     * Server-sent events as OpenAI sends them: one {@code data:} line per chunk, a blank line after
     * each, and the literal {@code [DONE]} sentinel that tells the SDK to stop reading.
     */
    private static void stream(HttpExchange exchange, CompletionRenderer renderer, ChatRequest request, Reply reply)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.getResponseHeaders().set("x-request-id", ToolCall.newId("req_"));
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        List<ObjectNode> chunks = renderer.chunks(request, reply);
        Reply.Streamed streamed = reply instanceof Reply.Streamed st ? st : null;
        int content = streamed == null ? 0 : CompletionRenderer.contentChunks(streamed);
        for (int i = 0; i < chunks.size(); i++) {
            if (streamed != null && i >= 2 && i <= content && !pause(streamed.tokenDelay())) {
                return;
            }
            if (streamed != null && streamed.breakAfter() >= 0 && i > streamed.breakAfter()) {
                return; // cut off mid-stream: no finish reason, no [DONE]
            }
            out.write(("data: " + MAPPER.writeValueAsString(chunks.get(i)) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private ObjectNode models() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("object", "list");
        ObjectNode model = root.putArray("data").addObject();
        model.put("id", backend.servedModel().orElse("askflow-scripted-model"));
        model.put("object", "model");
        model.put("created", 0);
        model.put("owned_by", "askflow");
        return root;
    }

    private static void sendError(HttpExchange exchange, Reply.Error error) throws IOException {
        error.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        var renderer = new CompletionRenderer(MAPPER, "", "");
        sendJson(exchange, error.status(), renderer.error(error));
    }

    private static void sendJson(HttpExchange exchange, int status, JsonNode json) throws IOException {
        byte[] bytes = MAPPER.writeValueAsBytes(json);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("x-request-id", ToolCall.newId("req_"));
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** @return false when interrupted, i.e. the server is closing and the reply should be dropped */
    private static boolean pause(Duration delay) {
        if (delay.isZero()) {
            return true;
        }
        try {
            Thread.sleep(delay);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static final class Builder {
        private final ChatBackend backend;
        private String host = "127.0.0.1";
        private int port;
        private Consumer<IncomingRequest> observer = request -> { };

        private Builder(ChatBackend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
        }

        /** Loopback by default so an offline model is never reachable from the network. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** 0 (the default) picks a free ephemeral port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Sees each well-formed request before the backend does, on the request's own thread. */
        public Builder observer(Consumer<IncomingRequest> observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        public ChatCompletionsServer start() {
            try {
                return new ChatCompletionsServer(this);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start chat-completions server on " + host + ":" + port, e);
            }
        }
    }
}
