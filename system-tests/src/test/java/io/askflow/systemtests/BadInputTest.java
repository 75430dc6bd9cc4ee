package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.ErrorCode;
import io.askflow.message.Json;
import io.askflow.message.PromptRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every kind of bad request gets a coded error answer on askflow.answers, and the services keep serving. */
class BadInputTest {
    private static RunningPipeline p;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    @Test
    void malformedMissingAndOversizedRequestsAreAnsweredWithCodesAndServiceGoesOn() {
        p.model.respondWith(req -> Reply.text("still here"));
        String tag = UUID.randomUUID().toString().substring(0, 8);

        p.client.sendRaw("malformed-" + tag, "{\"requestId\": \"r-mal".getBytes(StandardCharsets.UTF_8));
        p.client.sendRaw("notobject-" + tag, "[1,2,3]".getBytes(StandardCharsets.UTF_8));
        p.client.send(new PromptRequest(1, "no-prompt-" + tag, null, "c-" + tag, null, null, null, null, null, null));
        p.client.sendRaw("no-id-" + tag, ("{\"conversationId\":\"no-id-" + tag + "\",\"prompt\":\"hi\"}").getBytes(StandardCharsets.UTF_8));
        p.client.send(PromptRequest.of("long-" + tag, "c-" + tag, "x".repeat(RunningPipeline.MAX_PROMPT_CHARS + 1)));
        p.client.sendRaw("huge-" + tag, ("{\"requestId\":\"huge-" + tag + "\",\"prompt\":\"hi\",\"pad\":\""
                + "y".repeat(RunningPipeline.MAX_REQUEST_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8));
        p.client.sendRaw("tz-" + tag, Json.write(new PromptRequest(1, "tz-" + tag, null, "tz-" + tag, null, "hi", null,
                "Atlantis/Capital", null, null)));

        expectError(a -> ("malformed-" + tag).equals(a.conversationId()), ErrorCode.INVALID_REQUEST, "not valid JSON");
        expectError(a -> ("notobject-" + tag).equals(a.conversationId()), ErrorCode.INVALID_REQUEST, "JSON object");
        expectError(a -> ("no-prompt-" + tag).equals(a.requestId()), ErrorCode.INVALID_REQUEST, "prompt is required");
        expectError(a -> ("no-id-" + tag).equals(a.conversationId()), ErrorCode.INVALID_REQUEST, "requestId is required");
        expectError(a -> ("long-" + tag).equals(a.requestId()), ErrorCode.TOO_LARGE, "prompt has");
        expectError(a -> ("huge-" + tag).equals(a.requestId()), ErrorCode.TOO_LARGE, "bytes");
        expectError(a -> ("tz-" + tag).equals(a.requestId()), ErrorCode.INVALID_REQUEST, "time zone");

        String ok = p.client.ask("after-" + tag, "are you still there?");
        Answer answer = p.client.await(ok, Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("no answer after bad input"));
        assertThat(answer.isOk()).isTrue();
        assertThat(answer.text()).isEqualTo("still here");
    }

    @Test
    void aDuplicateRequestIdIsAnsweredOnce() {
        p.model.respondWith(req -> Reply.text("once"));
        String id = "dup-" + UUID.randomUUID();
        p.client.send(PromptRequest.of(id, "c-" + id, "hello"));
        p.client.send(PromptRequest.of(id, "c-" + id, "hello"));
        assertThat(p.client.await(id, Duration.ofSeconds(60))).isPresent();
        // Queued behind both copies in their conversation, a later turn is answered after a second answer would be.
        String later = p.client.ask("c-" + id, "and again");
        assertThat(p.client.await(later, Duration.ofSeconds(60))).isPresent();
        assertThat(TopicReader.answersToEnd(p.config, "c-" + id, id)).hasSize(1);
    }

    @Test
    void aModelThatFailsYieldsACodedErrorNotASilence() {
        String id = "fail-" + UUID.randomUUID();
        // A hostile or careless server echoes the key it was sent in its error body.
        p.model.respondWith(req -> Reply.error(401, "Incorrect API key provided: " + RunningPipeline.OPENAI_API_KEY)
                .withCode("invalid_api_key"));
        p.client.send(PromptRequest.of(id, "c-" + id, "hello"));
        Answer a = p.client.await(id, Duration.ofSeconds(60)).orElseThrow();
        assertThat(a.isOk()).isFalse();
        assertThat(a.error().code()).isEqualTo(ErrorCode.MODEL_ERROR);
        assertThat(a.error().message()).contains("401").doesNotContain(RunningPipeline.OPENAI_API_KEY);
        assertThat(Json.writeString(a)).doesNotContain(RunningPipeline.OPENAI_API_KEY);
    }

    private static void expectError(java.util.function.Predicate<Answer> which, ErrorCode code, String reason) {
        Answer a = p.client.awaitMatching(which, Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("no error answer for " + code + " / " + reason));
        assertThat(a.isOk()).isFalse();
        assertThat(a.error().code()).isEqualTo(code);
        assertThat(a.error().message()).containsIgnoringCase(reason);
    }
}
