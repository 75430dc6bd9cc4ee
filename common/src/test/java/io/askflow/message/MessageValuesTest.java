package io.askflow.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The small behaviours of the message values that the services build on. */
class MessageValuesTest {
    private static final Instant AT = Instant.parse("2026-12-01T08:00:00Z");

    @Test
    void bytesParseIntoATreeAndAParseErrorIsOneLine() {
        assertThat(Json.tree("{\"a\":[1]}".getBytes(StandardCharsets.UTF_8)).path("a").get(0).asInt()).isEqualTo(1);
        assertThatThrownBy(() -> Json.tree("{\"a\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MessageFormatException.class)
                .hasMessageStartingWith("Not valid JSON: ")
                .hasMessageNotContaining("\n");
        assertThat(Json.firstLine(new Exception("first\nsecond"))).isEqualTo("first");
        assertThat(Json.firstLine(new Exception("\nsecond"))).isEmpty();
        assertThat(Json.firstLine(new Exception("only"))).isEqualTo("only");
    }

    @Test
    void theNextRoundCountsUpAppendsTheToolResultsAndTakesTheMergedSources() {
        ModelCall call = ModelCall.builder().envelope(Envelope.builder().requestId("r").tenantId("t")
                .conversationId("c").deadline(AT.plusSeconds(60)).build()).round(2).messages(List.of(ChatMessage.user("q"))).build();
        ToolCall tc = new ToolCall("id1", "current_time", "{}");
        List<Source> merged = List.of(Source.url(1, "https://a.example/", "A"));
        ModelCall next = call.nextRound(List.of(ChatMessage.toolResult(tc, "now")), merged);
        assertThat(next.round()).isEqualTo(3);
        assertThat(next.messages()).containsExactly(ChatMessage.user("q"), ChatMessage.toolResult(tc, "now"));
        assertThat(next.sources()).isEqualTo(merged);
        assertThat(call.messages()).hasSize(1);
    }

    @Test
    void anAnswerCarriesNoDeadline() {
        Envelope withDeadline = Envelope.builder().requestId("r").tenantId("t").conversationId("c")
                .deadline(AT.plusSeconds(60)).build();
        Answer a = Answer.builder().envelope(withDeadline).status(Answer.Status.OK).text("x").createdAt(AT).build();
        assertThat(a.envelope().deadline()).isNull();
        assertThat(a.requestId()).isEqualTo("r");
    }

    @Test
    void errorCodesTravelInLowerCaseAndOnlyTheGatewaysRefuseSubmissions() {
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(ErrorCode.fromWire(code.wire())).isEqualTo(code);
            assertThat(code.wire()).isLowerCase();
        }
        assertThat(Arrays.stream(ErrorCode.values()).filter(ErrorCode::refusesSubmission))
                .containsExactlyInAnyOrder(ErrorCode.INVALID_REQUEST, ErrorCode.UNAUTHORIZED, ErrorCode.TOO_LARGE,
                        ErrorCode.DUPLICATE_REQUEST);
        assertThat(Json.writeString(ErrorCode.DEADLINE_EXCEEDED)).isEqualTo("\"deadline_exceeded\"");
    }

    @Test
    void sourcesAreTheSameCitationWhenTheyPointAtTheSameTarget() {
        Source a = Source.url(1, "https://a.example/", "A");
        assertThat(a.renumbered(4)).isEqualTo(new Source(4, "url", "https://a.example/", "A", null));
        assertThat(a.sameTarget(Source.url(7, "https://a.example/", "another title"))).isTrue();
        assertThat(a.sameTarget(Source.url(1, "https://b.example/", "A"))).isFalse();
        assertThat(a.sameTarget(new Source(1, "document", "https://a.example/", "A", "d1"))).isFalse();
        Source doc = new Source(2, "document", null, "D", "d1");
        assertThat(doc.sameTarget(new Source(5, "document", null, "D", "d2"))).isFalse();
    }

    @Test
    void anAnswerEventCarriesTheAnswersTextOrError() {
        Answer ok = Answer.builder().envelope(Envelope.builder().requestId("r").tenantId("t").conversationId("c").build())
                .status(Answer.Status.OK).text("done").createdAt(AT).build();
        TurnEvent e = TurnEvent.answer(ok, 7, 2, AT);
        assertThat(e.kind()).isEqualTo(TurnEvent.Kind.ANSWER);
        assertThat(e.seq()).isEqualTo(7);
        assertThat(e.round()).isEqualTo(2);
        assertThat(e.text()).isEqualTo("done");
        assertThat(e.conversationId()).isEqualTo("c");
        assertThat(e.tenantId()).isEqualTo("t");
        assertThat(e.requestId()).isEqualTo("r");
        Answer failed = Answer.error("r", "t", "c", "u", ErrorCode.MODEL_ERROR, "down", AT);
        assertThat(TurnEvent.answer(failed, 8, 0, AT).error()).isEqualTo(new AnswerError(ErrorCode.MODEL_ERROR, "down"));
        TurnEvent tool = TurnEvent.of(ok, 3, TurnEvent.Kind.PROGRESS, 1, 0, AT)
                .withStep(TurnEvent.Step.TOOL_STARTED, "fetch_url", "https://a.example/").withSeq(4);
        assertThat(tool.seq()).isEqualTo(4);
        assertThat(tool.tool()).isEqualTo("fetch_url");
        assertThat(tool.detail()).isEqualTo("https://a.example/");
        assertThat(Json.writeString(tool)).contains("\"kind\":\"progress\"", "\"step\":\"tool_started\"");
    }

    @Test
    void aBackendsRequestHasTheFieldsItSetAtTheCurrentSchemaVersion() {
        PromptRequest r = PromptRequest.builder().requestId("r").tenantId("t").conversationId("c").userId("u")
                .prompt("p").model("m").timeZone("Europe/Paris").deadline(AT).metadata(Map.of("k", "v"))
                .history(List.of(new HistoryMessage("user", "earlier"))).build();
        assertThat(r).isEqualTo(new PromptRequest(AskflowMessage.CURRENT_SCHEMA_VERSION, "r", "t", "c", "u", "p", "m",
                "Europe/Paris", AT, Map.of("k", "v"), List.of(new HistoryMessage("user", "earlier"))));
        assertThat(Json.read(Json.write(r), PromptRequest.class)).isEqualTo(r);
        assertThat(PromptRequest.of("r", "c", "p")).isEqualTo(PromptRequest.builder().requestId("r").conversationId("c")
                .prompt("p").build());
    }

    @Test
    void anAnswerTakesItsIdsSourcesUsageAndRoundsFromTheTurnsLastCall() {
        Envelope env = Envelope.builder().schemaVersion(0).requestId("r").tenantId("t").conversationId("c").userId("u")
                .jobId("j").deadline(AT.plusSeconds(60)).build();
        Usage usage = Usage.ofCall("m", 7, 1, 3, 0, 10);
        ModelCall call = ModelCall.builder().envelope(env).round(2).messages(List.of(ChatMessage.user("q"),
                ChatMessage.assistant("a"))).sources(List.of(Source.url(1, "https://a.example/", "A"))).usage(usage)
                .metadata(Map.of("k", "v")).build();
        assertThat(call.lastMessage()).isEqualTo(ChatMessage.assistant("a"));
        assertThat(call.userId()).isEqualTo("u");
        assertThat(call.jobId()).isEqualTo("j");
        assertThat(call.deadline()).isEqualTo(AT.plusSeconds(60));
        assertThat(call.schemaVersion()).isZero();

        Answer ok = Answer.ok(call, "done", "m", AT, Map.of("x", "y"));
        assertThat(ok.isOk()).isTrue();
        assertThat(ok.schemaVersion()).isEqualTo(AskflowMessage.CURRENT_SCHEMA_VERSION);
        assertThat(ok.toolRounds()).isEqualTo(2);
        assertThat(ok.sources()).isEqualTo(call.sources());
        assertThat(ok.usage()).isEqualTo(usage);
        assertThat(ok.userId()).isEqualTo("u");
        Answer failed = Answer.error(call, ErrorCode.MODEL_ERROR, "down", AT);
        assertThat(failed.isOk()).isFalse();
        assertThat(failed.error()).isEqualTo(new AnswerError(ErrorCode.MODEL_ERROR, "down"));
        assertThat(failed.metadata()).containsEntry("k", "v");
        assertThat(Json.writeString(ok)).contains("\"status\":\"ok\"").doesNotContain("\"ok\":");
    }

    @Test
    void usageAddsUpPerModelAndHistoryBecomesTheMessagesOfItsRole() {
        ModelUsage a = new ModelUsage(10, 4, 5, 1, 1);
        assertThat(a.totalTokens()).isEqualTo(15);
        Usage u = Usage.ofCall("m", 10, 4, 5, 1, 15);
        assertThat(u.plus(null)).isSameAs(u);
        assertThat(u.plus(u).byModel().get("m")).isEqualTo(a.plus(a));
        assertThat(new HistoryMessage("system", "s").toChatMessage()).isEqualTo(ChatMessage.system("s"));
        assertThat(new HistoryMessage("assistant", "a").toChatMessage()).isEqualTo(ChatMessage.assistant("a"));
        assertThat(new HistoryMessage("user", "u").toChatMessage()).isEqualTo(ChatMessage.user("u"));
    }
}
