package io.askflow.localmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChatCompletionsServerTest {

    private final AtomicReference<Reply> next = new AtomicReference<>(Reply.text("hello"));
    private final AtomicReference<ChatRequest> seen = new AtomicReference<>();
    private ChatCompletionsServer server;
    private OpenAIClient client;

    @BeforeEach
    void start() {
        server = ChatCompletionsServer.start(request -> {
            seen.set(request);
            return next.get();
        });
        client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("test").maxRetries(0).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    static ChatCompletionCreateParams.Builder params(String prompt) {
        return ChatCompletionCreateParams.builder()
                .model("gpt-4o-mini")
                .addSystemMessage("You are terse.")
                .addUserMessage(prompt)
                .addTool(tool("fetch_url"));
    }

    static ChatCompletionFunctionTool tool(String name) {
        return ChatCompletionFunctionTool.builder()
                .function(FunctionDefinition.builder()
                        .name(name)
                        .description("test tool")
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .build())
                        .build())
                .build();
    }

    @Test
    void textCompletionIsReadableBySdk() {
        next.set(Reply.text("Hello there, friend."));

        ChatCompletion completion = client.chat().completions().create(params("hi").build());

        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content()).contains("Hello there, friend.");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.model()).isEqualTo("gpt-4o-mini");
        assertThat(completion.id()).startsWith("chatcmpl-");
        assertThat(completion.usage()).get().satisfies(u -> {
            assertThat(u.completionTokens()).isEqualTo(5); // 20 chars / 4
            assertThat(u.totalTokens()).isEqualTo(u.promptTokens() + u.completionTokens());
        });
        completion.validate();
    }

    @Test
    void requestIsParsedIncludingToolsAndStreamOptions() {
        client.chat().completions().create(params("hi").toolChoice(
                com.openai.models.chat.completions.ChatCompletionToolChoiceOption.Auto.REQUIRED).build());

        ChatRequest request = seen.get();
        assertThat(request.model()).isEqualTo("gpt-4o-mini");
        assertThat(request.messages()).extracting(ChatMessage::role).containsExactly("system", "user");
        assertThat(request.lastUserMessage()).get().extracting(ChatMessage::content).isEqualTo("hi");
        assertThat(request.offersTool("fetch_url")).isTrue();
        assertThat(request.toolChoice().asText()).isEqualTo("required");
        assertThat(request.stream()).isFalse();
        assertThat(request.raw().path("messages").size()).isEqualTo(2);
    }

    @Test
    void toolCallCompletionIsReadableBySdk() {
        next.set(Reply.toolCall("fetch_url", "{\"url\":\"https://example.org/\"}"));

        ChatCompletion completion = client.chat().completions().create(params("read example.org").build());

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(choice.message().content()).isEmpty();
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).startsWith("call_");
        assertThat(call.function().name()).isEqualTo("fetch_url");
        assertThat(call.function().arguments()).isEqualTo("{\"url\":\"https://example.org/\"}");
        completion.validate();
    }

    @Test
    void streamedTextAccumulatesToTheFullAnswer() {
        next.set(Reply.text("A streamed answer with several words in it."));
        var accumulator = ChatCompletionAccumulator.create();
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        ChatCompletionCreateParams params = params("stream please")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunks.add(accumulator.accumulate(chunk)));
        }

        assertThat(seen.get().stream()).isTrue();
        assertThat(seen.get().includeUsage()).isTrue();
        long contentChunks = chunks.stream()
                .filter(c -> !c.choices().isEmpty() && c.choices().get(0).delta().content().filter(s -> !s.isEmpty()).isPresent())
                .count();
        assertThat(contentChunks).isGreaterThan(1);
        assertThat(chunks.getLast().usage()).isPresent();
        ChatCompletion completion = accumulator.chatCompletion();
        assertThat(completion.choices().get(0).message().content()).contains("A streamed answer with several words in it.");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.usage()).isPresent();
    }

    @Test
    void streamedToolCallAccumulatesNameAndArguments() {
        next.set(Reply.toolCalls(
                ToolCall.of("fetch_url", "{\"url\":\"https://example.org/a-rather-long-path\"}"),
                ToolCall.of("current_time", "{}")));
        var accumulator = ChatCompletionAccumulator.create();

        try (var stream = client.chat().completions().createStreaming(params("two tools").build())) {
            stream.stream().forEach(accumulator::accumulate);
        }

        ChatCompletion completion = accumulator.chatCompletion();
        var calls = completion.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).asFunction().function().name()).isEqualTo("fetch_url");
        assertThat(calls.get(0).asFunction().function().arguments())
                .isEqualTo("{\"url\":\"https://example.org/a-rather-long-path\"}");
        assertThat(calls.get(1).asFunction().function().name()).isEqualTo("current_time");
        assertThat(calls.get(1).asFunction().id()).startsWith("call_");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    }

    @Test
    void rateLimitMapsToRateLimitExceptionWithCodeAndHeaders() {
        next.set(Reply.rateLimited(Duration.ofMillis(1500)));

        assertThatThrownBy(() -> client.chat().completions().create(params("hi").build()))
                .isInstanceOfSatisfying(RateLimitException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(429);
                    assertThat(e.code()).contains("rate_limit_exceeded");
                    assertThat(e.type()).contains("requests");
                    assertThat(e.headers().values("Retry-After")).containsExactly("2");
                    assertThat(e.headers().values("retry-after-ms")).containsExactly("1500");
                });
    }

    @Test
    void serverErrorsAndBadRequestsMapToSdkExceptions() {
        next.set(Reply.serverError());
        assertThatThrownBy(() -> client.chat().completions().create(params("hi").build()))
                .isInstanceOf(InternalServerException.class);

        next.set(Reply.unavailable());
        assertThatThrownBy(() -> client.chat().completions().create(params("hi").build()))
                .isInstanceOfSatisfying(InternalServerException.class, e -> assertThat(e.statusCode()).isEqualTo(503));

        next.set(Reply.badRequest("messages[1] is invalid", "messages"));
        assertThatThrownBy(() -> client.chat().completions().create(params("hi").build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).contains("messages");
                    assertThat(e.getMessage()).contains("messages[1] is invalid");
                });

        next.set(Reply.unauthorized());
        assertThatThrownBy(() -> client.chat().completions().create(params("hi").build()))
                .isInstanceOfSatisfying(UnauthorizedException.class, e -> assertThat(e.code()).contains("invalid_api_key"));
    }

    @Test
    void errorsAreReturnedAsJsonEvenForStreamingRequests() {
        next.set(Reply.error(404, "The model `nope` does not exist").withCode("model_not_found"));

        assertThatThrownBy(() -> {
            try (var stream = client.chat().completions().createStreaming(params("hi").build())) {
                stream.stream().forEach(c -> { });
            }
        }).isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).contains("model_not_found"));
    }

    @Test
    void delayedReplyArrivesAfterTheDelay() {
        next.set(Reply.text("slow").withDelay(Duration.ofMillis(300)));
        long start = System.nanoTime();

        client.chat().completions().create(params("hi").build());

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void backendFailureBecomesInternalServerError() {
        next.set(null);

        assertThatThrownBy(() -> client.chat().completions().create(params("hi").build()))
                .isInstanceOf(InternalServerException.class);
    }

    @Test
    void malformedJsonGetsBadRequestWithErrorBody() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{not json")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("\"error\"").contains("invalid_request_error");
        }
    }

    @Test
    void unprefixedPathAndModelsEndpointWork() throws Exception {
        String root = server.baseUrl().replace("/v1", "");
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> completion = http.send(HttpRequest.newBuilder(URI.create(root + "/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/models")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(completion.statusCode()).isEqualTo(200);
            assertThat(completion.body()).contains("\"object\":\"chat.completion\"");
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(models.body()).contains("\"object\":\"list\"");
        }
    }

    @Test
    void streamIsServerSentEventsEndingWithDone() throws Exception {
        next.set(Reply.text("abc"));
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("text/event-stream");
            assertThat(response.body()).startsWith("data: {").endsWith("data: [DONE]\n\n");
            assertThat(response.body()).contains("\"object\":\"chat.completion.chunk\"").doesNotContain("\"usage\"");
        }
    }
    /**
     * More keep-alive connections than the JDK server's default of 200 idle ones: every connection
     * must still answer its second request (the JDK closes the ones over its limit after their
     * response, silently, and a pooled client's next call on one fails).
     */
    @Test
    void manyKeepAliveConnectionsStayUsable() throws Exception {
        int connections = 300;
        List<java.net.Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port());
                socket.setSoTimeout(10_000);
                sockets.add(socket);
            }
            for (java.net.Socket socket : sockets) {
                assertThat(exchange(socket)).as("first response").startsWith("HTTP/1.1 200");
            }
            // Every connection now idle at once; a second request on each.
            int closed = 0;
            for (java.net.Socket socket : sockets) {
                try {
                    if (!exchange(socket).startsWith("HTTP/1.1 200")) {
                        closed++;
                    }
                } catch (java.io.IOException e) {
                    closed++;
                }
            }
            assertThat(closed).as("connections of %d that did not answer a second request", connections).isZero();
        } finally {
            for (java.net.Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /** One GET /v1/models on a kept-alive connection; its status line, or "" when the server closed it. */
    private static String exchange(java.net.Socket socket) throws java.io.IOException {
        var out = socket.getOutputStream();
        out.write("GET /v1/models HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.flush();
        var in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return "";
            }
            head.append((char) b);
        }
        var length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        assertThat(length.find()).as("a Content-Length in %s", head).isTrue();
        in.readNBytes(Integer.parseInt(length.group(1)));
        return head.toString();
    }
}
