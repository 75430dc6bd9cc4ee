package io.askflow.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.InternalServerException;
import com.openai.errors.RateLimitException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import io.askflow.localmodel.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ScriptedModelServerTest {

    private ScriptedModelServer model;
    private OpenAIClient client;

    @BeforeEach
    void start() {
        model = ScriptedModelServer.start();
        client = OpenAIOkHttpClient.builder().baseUrl(model.baseUrl()).apiKey("sk-secret-test-key").maxRetries(0).build();
    }

    @AfterEach
    void stop() {
        client.close();
        model.close();
    }

    private static ChatCompletionCreateParams.Builder ask(String prompt) {
        return ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage(prompt);
    }

    @Test
    void scriptedToolCallThenTextRoundTripThroughTheSdk() {
        model.enqueue(Reply.toolCall("current_time", "{}"), Reply.text("It is Monday."));

        ChatCompletionCreateParams.Builder params = ask("What day is it?");
        ChatCompletion first = client.chat().completions().create(params.build());
        var call = first.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
        params.addMessage(first.choices().get(0).message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("Monday").build());
        ChatCompletion second = client.chat().completions().create(params.build());

        assertThat(call.function().name()).isEqualTo("current_time");
        assertThat(second.choices().get(0).message().content()).contains("It is Monday.");
        assertThat(model.remainingScript()).isZero();
        List<ReceivedRequest> requests = model.requests();
        assertThat(requests).extracting(ReceivedRequest::index).containsExactly(1, 2);
        assertThat(requests.get(1).request().messages()).extracting(m -> m.role())
                .containsExactly("user", "assistant", "tool");
        assertThat(requests.get(1).request().messages().get(2).toolCallId()).isEqualTo(call.id());
        assertThat(requests.get(1).request().toolCall(call.id())).isPresent();
    }

    @Test
    void injectedRateLimitIsVisibleThroughSdkExceptionHeaders() {
        model.enqueue(Reply.rateLimited(Duration.ofSeconds(3)));

        assertThatThrownBy(() -> client.chat().completions().create(ask("hi").build()))
                .isInstanceOfSatisfying(RateLimitException.class, e -> {
                    assertThat(e.headers().values("Retry-After")).containsExactly("3");
                    assertThat(e.code()).contains("rate_limit_exceeded");
                });
    }

    @Test
    void sdkRetryAfterRateLimitIsRecordedAsSecondAttempt() {
        model.enqueue(Reply.rateLimited(Duration.ofMillis(50)), Reply.text("finally"));
        OpenAIClient retrying = OpenAIOkHttpClient.builder().baseUrl(model.baseUrl()).apiKey("test").maxRetries(1).build();
        try {
            ChatCompletion completion = retrying.chat().completions().create(ask("hi").build());

            assertThat(completion.choices().get(0).message().content()).contains("finally");
            assertThat(model.requests()).extracting(ReceivedRequest::attempt).containsExactly(1, 2);
            assertThat(model.requests().get(1).arrival()).isAfterOrEqualTo(model.requests().get(0).arrival());
        } finally {
            retrying.close();
        }
    }

    @Test
    void streamedScriptedReply() {
        model.enqueue(Reply.text("streamed from the script"));
        var accumulator = ChatCompletionAccumulator.create();

        try (var stream = client.chat().completions().createStreaming(ask("stream").build())) {
            stream.stream().forEach(accumulator::accumulate);
        }

        assertThat(accumulator.chatCompletion().choices().get(0).message().content()).contains("streamed from the script");
        assertThat(model.requests().getFirst().request().stream()).isTrue();
    }

    @Test
    void responderAndDefaultAnswerOnceTheQueueIsEmpty() {
        model.enqueue(Reply.text("queued"));
        model.respondWith(request -> Reply.text("echo: " + request.lastUserMessage().orElseThrow().text()));

        assertThat(client.chat().completions().create(ask("one").build()).choices().get(0).message().content()).contains("queued");
        assertThat(client.chat().completions().create(ask("two").build()).choices().get(0).message().content()).contains("echo: two");

        model.reset();
        assertThatThrownBy(() -> client.chat().completions().create(ask("three").build()))
                .isInstanceOf(InternalServerException.class)
                .hasMessageContaining("no scripted reply left");
        model.defaultReply(Reply.text("default"));
        assertThat(client.chat().completions().create(ask("four").build()).choices().get(0).message().content()).contains("default");
    }

    @Test
    void recordsBodyHeadersAndOrderButHidesTheApiKeyInToString() {
        model.defaultReply(Reply.text("ok"));
        Instant before = Instant.now();

        client.chat().completions().create(ask("first").build());
        client.chat().completions().create(ask("second").build());

        List<ReceivedRequest> requests = model.awaitRequests(2, Duration.ofSeconds(5));
        assertThat(requests).extracting(ReceivedRequest::lastUserText).containsExactly("first", "second");
        assertThat(requests).extracting(ReceivedRequest::attempt).containsOnly(1);
        ReceivedRequest first = requests.getFirst();
        assertThat(first.arrival()).isAfterOrEqualTo(before);
        assertThat(first.body()).contains("\"first\"");
        assertThat(first.header("authorization")).isEqualTo("Bearer sk-secret-test-key");
        assertThat(first.toString()).doesNotContain("sk-secret-test-key").doesNotContain("first\"");
    }

    @Test
    void awaitRequestsWaitsForConcurrentCallsAndFailsClearlyOnTimeout() {
        model.defaultReply(Reply.text("late").withDelay(Duration.ofMillis(100)));
        CompletableFuture.runAsync(() -> client.chat().completions().create(ask("async").build()));

        assertThat(model.awaitRequests(1, Duration.ofSeconds(5))).hasSize(1);
        assertThatThrownBy(() -> model.awaitRequests(2, Duration.ofMillis(100)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected 2 model requests");
    }
}
