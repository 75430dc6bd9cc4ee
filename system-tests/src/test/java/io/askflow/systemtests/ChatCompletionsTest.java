package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.models.Model;
import io.askflow.localmodel.ChatMessage;
import io.askflow.localmodel.Reply;
import io.askflow.message.Json;
import io.askflow.testkit.ReceivedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI-compatible front door, driven by openai-java itself with the gateway as its base URL,
 * through the real services: the scripted model server behind the model-caller asks for a tool,
 * the tool-runner runs it, and the SDK gets the answer in its own types.
 */
class ChatCompletionsTest {
    private static RunningPipeline p;
    private static OpenAIClient acme;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
        acme = sdk(RunningPipeline.ACME_KEY);
    }

    @AfterAll
    static void close() {
        acme.close();
    }

    static OpenAIClient sdk(String key) {
        // No retries: a retried POST would be a second request, and these tests count model calls.
        return OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + p.pipeline.httpPort() + "/v1").apiKey(key)
                .maxRetries(0).build();
    }

    /** The scripted model asks for current_time, then answers with what the tool said. */
    static void modelAsksForTheTimeThenAnswers() {
        p.model.respondWith(req -> {
            ChatMessage last = req.lastMessage().orElseThrow();
            return last.hasRole("tool") ? Reply.text("It is " + last.text()) : Reply.toolCall("current_time", "{}");
        });
    }

    static JsonNode askflowField(ChatCompletion completion) throws Exception {
        JsonValue v = completion._additionalProperties().get("askflow");
        assertThat(v).as("the askflow extra field").isNotNull();
        return Json.tree(ObjectMappers.jsonMapper().writeValueAsString(v));
    }

    private static List<ReceivedRequest> modelCallsFor(String prompt) {
        return p.model.requests().stream().filter(r -> prompt.equals(r.lastUserText())).toList();
    }

    @Test
    void aNonStreamedAnswerThatUsedAToolArrivesAsAChatCompletion() throws Exception {
        modelAsksForTheTimeThenAnswers();
        String prompt = "What time is it? " + UUID.randomUUID();
        ChatCompletion completion = acme.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("scripted-model").addUserMessage(prompt).build());

        assertThat(completion.choices()).hasSize(1);
        ChatCompletion.Choice choice = completion.choices().getFirst();
        assertThat(choice.message().content()).hasValueSatisfying(text -> assertThat(text).startsWith("It is "));
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.model()).isEqualTo("scripted-model");
        assertThat(completion.usage()).hasValueSatisfying(u -> assertThat(u.totalTokens()).isPositive());
        JsonNode askflow = askflowField(completion);
        assertThat(askflow.path("toolRounds").asInt()).isEqualTo(1);
        assertThat(completion.id()).isEqualTo("chatcmpl-" + askflow.path("requestId").asText());
        assertThat(askflow.path("conversationId").asText()).isNotBlank();
        // The model was called twice: once for the tool, once with its result.
        List<ReceivedRequest> calls = modelCallsFor(prompt);
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1).request().lastMessage().orElseThrow().hasRole("tool")).isTrue();
    }

    @Test
    void aStreamedAnswerThatUsedAToolArrivesAsChunksThatAddUpToTheCommittedAnswer() throws Exception {
        p.model.respondWith(req -> {
            ChatMessage last = req.lastMessage().orElseThrow();
            return last.hasRole("tool") ? Reply.streamed(Reply.text("It is " + last.text()), Duration.ofMillis(5))
                    : Reply.toolCall("current_time", "{}");
        });
        String prompt = "What time is it, streamed? " + UUID.randomUUID();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        ChatCompletionAccumulator accumulated = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = acme.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("scripted-model").addUserMessage(prompt)
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                chunks.add(chunk);
                accumulated.accumulate(chunk);
            });
        }
        assertThat(chunks.getFirst().choices().getFirst().delta().role())
                .hasValue(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT);
        String streamed = chunks.stream().flatMap(c -> c.choices().stream())
                .map(c -> c.delta().content().orElse("")).collect(Collectors.joining());
        assertThat(streamed).startsWith("It is ");
        assertThat(chunks.stream().filter(c -> !c.choices().isEmpty()
                && c.choices().getFirst().delta().content().filter(t -> !t.isEmpty()).isPresent()))
                .as("the text came in several chunks").hasSizeGreaterThan(2);
        List<ChatCompletionChunk> withChoices = chunks.stream().filter(c -> !c.choices().isEmpty()).toList();
        assertThat(withChoices.getLast().choices().getFirst().finishReason())
                .hasValue(ChatCompletionChunk.Choice.FinishReason.STOP);
        // include_usage: one last chunk without choices, with the turn's usage.
        assertThat(chunks.getLast().choices()).isEmpty();
        assertThat(chunks.getLast().usage()).hasValueSatisfying(u -> assertThat(u.totalTokens()).isPositive());
        assertThat(accumulated.chatCompletion().choices().getFirst().message().content()).hasValue(streamed);

        JsonValue extra = withChoices.getLast()._additionalProperties().get("askflow");
        JsonNode askflow = Json.tree(ObjectMappers.jsonMapper().writeValueAsString(extra));
        assertThat(askflow.path("toolRounds").asInt()).isEqualTo(1);
        assertThat(askflow.path("text").asText()).isEqualTo(streamed);
        // The deltas add up to the exactly-once answer on askflow.answers.
        Http.Response committed = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY)
                .get("/v1/answers/" + askflow.path("requestId").asText());
        assertThat(committed.json().path("text").asText()).isEqualTo(streamed);
        assertThat(modelCallsFor(prompt)).hasSize(2);
    }

    @Test
    void aStreamedTurnThatFailsEndsWithOpenAisInStreamError() {
        p.model.respondWith(req -> Reply.badRequest("the scripted model refuses", "messages"));
        try (StreamResponse<ChatCompletionChunk> stream = acme.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("scripted-model").addUserMessage("fail " + UUID.randomUUID())
                        .build())) {
            assertThatThrownBy(() -> stream.stream().forEach(chunk -> { }))
                    .isInstanceOfSatisfying(OpenAIServiceException.class, e -> assertThat(e.code()).hasValue("model_error"));
        }
    }

    @Test
    void withoutAConversationTheRequestsEarlierMessagesAreTheHistory() throws Exception {
        p.model.respondWith(req -> Reply.text("second answer"));
        String prompt = "And the second question? " + UUID.randomUUID();
        ChatCompletion completion = acme.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("scripted-model")
                .addSystemMessage("Answer like a pirate.")
                .addUserMessage("first question")
                .addAssistantMessage("first answer")
                .addUserMessage(prompt).build());
        assertThat(completion.choices().getFirst().message().content()).hasValue("second answer");

        List<ChatMessage> sent = modelCallsFor(prompt).getFirst().request().messages();
        assertThat(sent).extracting(ChatMessage::role).containsExactly("system", "system", "user", "assistant", "user");
        assertThat(sent.get(0).text()).as("askflow's own system message comes first").contains("Acme's assistant");
        assertThat(sent).extracting(ChatMessage::text).containsSubsequence("Answer like a pirate.", "first question",
                "first answer", prompt);
    }

    @Test
    void suppliedHistoryIsTrimmedToTheTokenBudgetNewestFirstAndNotSummarised() {
        p.model.respondWith(req -> Reply.text("trimmed"));
        String prompt = "And now? " + UUID.randomUUID();
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder().model("gpt-4o-mini");
        List<String> earlier = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String text = "earlier message " + i + ": " + "lorem ipsum dolor sit amet ".repeat(6).strip();
            earlier.add(text);
            if (i % 2 == 0) {
                params.addUserMessage(text);
            } else {
                params.addAssistantMessage(text);
            }
        }
        int before = p.model.requests().size();
        OpenAIClient tiny = sdk(RunningPipeline.TINY_KEY);
        try {
            tiny.chat().completions().create(params.addUserMessage(prompt).build());
        } finally {
            tiny.close();
        }
        assertThat(p.model.requests().size() - before).as("one model call: no summary of the caller's history").isEqualTo(1);
        List<String> sent = modelCallsFor(prompt).getFirst().request().messages().stream().map(ChatMessage::text).toList();
        List<String> history = sent.subList(1, sent.size() - 1);
        assertThat(history).as("the tiny tenant's budget keeps some, not all").isNotEmpty().hasSizeLessThan(earlier.size());
        assertThat(earlier).endsWith(history.toArray(String[]::new));
    }

    @Test
    void aNamedConversationUsesAskflowsStoredHistoryByFieldOrHeader() throws Exception {
        String conversation = "oai-" + UUID.randomUUID();
        p.model.respondWith(req -> Reply.text("answer to " + req.lastUserMessage().orElseThrow().text()));
        String first = "remember this " + UUID.randomUUID();
        acme.chat().completions().create(ChatCompletionCreateParams.builder().model("scripted-model")
                .addUserMessage(first)
                .putAdditionalBodyProperty("askflow_conversation_id", JsonValue.from(conversation)).build());

        String second = "what did I say? " + UUID.randomUUID();
        ChatCompletion next = acme.chat().completions().create(ChatCompletionCreateParams.builder().model("scripted-model")
                // Earlier messages are askflow's to know when a conversation is named: this one is not sent.
                .addUserMessage("a message askflow ignores").addUserMessage(second)
                .putAdditionalHeader("X-Askflow-Conversation-Id", conversation).build());
        assertThat(askflowField(next).path("conversationId").asText()).isEqualTo(conversation);

        List<ChatMessage> sent = modelCallsFor(second).getFirst().request().messages();
        assertThat(sent).extracting(ChatMessage::role).containsExactly("system", "user", "assistant", "user");
        assertThat(sent).extracting(ChatMessage::text).containsExactly(sent.get(0).text(), first, "answer to " + first,
                second);
    }

    @Test
    void theAnswersSourcesTravelInTheAskflowField() throws Exception {
        String path = "/oai-source-" + UUID.randomUUID();
        p.web.html(path, "<html><head><title>Front door page</title></head><body><p>The door is green.</p></body></html>");
        String url = p.web.url(path);
        p.model.respondWith(req -> req.lastMessage().orElseThrow().hasRole("tool") ? Reply.text("The door is green [1].")
                : Reply.toolCall("fetch_url", "{\"url\":\"" + url + "\"}"));
        ChatCompletion completion = acme.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("scripted-model").addUserMessage("What colour is the door at " + url + "?").build());
        JsonNode sources = askflowField(completion).path("sources");
        assertThat(sources).hasSize(1);
        assertThat(sources.get(0).path("number").asInt()).isEqualTo(1);
        assertThat(sources.get(0).path("url").asText()).isEqualTo(url);
    }

    @Test
    void errorsAreTheSdksOwnExceptions() {
        OpenAIClient wrongKey = sdk("ak-not-a-key");
        try {
            assertThatThrownBy(() -> wrongKey.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model("scripted-model").addUserMessage("hi").build()))
                    .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(401);
                        assertThat(e.code()).hasValue("invalid_api_key");
                    });
        } finally {
            wrongKey.close();
        }
        // The prompt must be the last message, the user's.
        assertThatThrownBy(() -> acme.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("scripted-model").addUserMessage("hi").addAssistantMessage("hello").build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.type()).hasValue("invalid_request_error");
                    assertThat(e.param()).hasValue("messages");
                    assertThat(e.code()).hasValue("invalid_request");
                });
        assertThatThrownBy(() -> acme.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("no-such-model").addUserMessage("hi").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).hasValue("model_not_found"));
    }

    @Test
    void errorBodiesHaveOpenAisShape() throws Exception {
        Http http = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
        Http.Response notJson = http.postJson("/v1/chat/completions", "{not json");
        assertThat(notJson.status()).isEqualTo(400);
        JsonNode error = notJson.json().path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo("invalid_request");
        assertThat(error.path("message").asText()).contains("not valid JSON");
        assertThat(error.has("param")).isTrue();

        Http.Response tools = http.postJson("/v1/chat/completions", """
                {"model":"scripted-model","messages":[{"role":"user","content":"hi"}],
                 "tools":[{"type":"function","function":{"name":"mine"}}]}""");
        assertThat(tools.status()).isEqualTo(400);
        assertThat(tools.json().path("error").path("param").asText()).isEqualTo("tools");

        Http.Response noKey = new Http(p.pipeline.httpPort(), "wrong").get("/v1/models");
        assertThat(noKey.status()).isEqualTo(401);
        assertThat(noKey.json().path("error").path("code").asText()).isEqualTo("invalid_api_key");
    }

    @Test
    void modelsListsWhatTheDeploymentOffersTheTenant() {
        assertThat(acme.models().list().items()).extracting(Model::id).containsExactly("scripted-model");
        assertThat(acme.models().list().items().getFirst().ownedBy()).isEqualTo("askflow");
        OpenAIClient tiny = sdk(RunningPipeline.TINY_KEY);
        try {
            // The tiny tenant's own default model is offered to it as well.
            assertThat(tiny.models().list().items()).extracting(Model::id).containsExactly("scripted-model", "gpt-4o-mini");
            assertThat(tiny.models().retrieve("gpt-4o-mini").id()).isEqualTo("gpt-4o-mini");
        } finally {
            tiny.close();
        }
        assertThatThrownBy(() -> acme.models().retrieve("gpt-4o-mini")).isInstanceOf(NotFoundException.class);
    }
}
