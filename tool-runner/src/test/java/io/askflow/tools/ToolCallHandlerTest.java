package io.askflow.tools;

import io.askflow.tools.spi.ToolBudget;
import io.askflow.tools.spi.ToolExecutor;
import io.askflow.tools.spi.ToolRegistry;
import io.askflow.tools.time.CurrentTimeTool;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.kafka.Incoming;
import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Topics;
import io.askflow.message.Answer;
import io.askflow.message.ChatMessage;
import io.askflow.message.Envelope;
import io.askflow.message.ErrorCode;
import io.askflow.message.ModelCall;
import io.askflow.message.Source;
import io.askflow.message.ToolCall;
import io.askflow.message.Usage;
import io.askflow.tool.BuiltinTools;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import io.askflow.kafka.TurnEventPublisher;
import io.askflow.message.TurnEvent;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ToolCallHandlerTest {
    private static final Instant NOW = Instant.parse("2026-11-26T08:33:02Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private final List<TurnEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ToolCallHandler handler = new ToolCallHandler(
            new ToolExecutor(new ToolRegistry(List.of(new CurrentTimeTool(CLOCK))), Duration.ofSeconds(5), 8000),
            new ToolBudget(new ToolBudget.Limits(8, 10)), CLOCK, new TurnEventPublisher((key, event) -> {
                events.add(event);
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }, CLOCK));

    private static ModelCall turn(Instant deadline, ChatMessage last) {
        return ModelCall.builder().envelope(Envelope.builder().requestId("req-1").tenantId("tenant-1")
                        .conversationId("conv-1").userId("user-1").deadline(deadline).build())
                .messages(List.of(ChatMessage.system("sys"), ChatMessage.user("what time is it?"), last))
                .tools(List.of(BuiltinTools.CURRENT_TIME)).sources(List.of(Source.url(1, "https://earlier.example/", "Earlier")))
                .usage(new Usage(10, 5, 15)).metadata(Map.of("k", "v")).build();
    }

    private static Incoming<ModelCall> in(ModelCall call) {
        return new Incoming<>(Topics.TOOL_CALLS.name(), 0, 7, call.conversationId(), call, new RecordHeaders(), NOW);
    }

    @Test
    void eachToolsStartAndFinishArePublishedAndTheNextRoundCarriesTheirSeqAboveTheIncomingOne() throws Exception {
        ModelCall call = turn(NOW.plusSeconds(60), ChatMessage.assistantCalling(null, List.of(
                new ToolCall("call_1", "current_time", "{}"),
                new ToolCall("call_2", "fetch_url", "{\"url\":\"https://example.com/page\"}"))));
        // The model-caller's events reached a seq far above this host's (fixed, 2026) clock.
        long floor = NOW.plusSeconds(3600).toEpochMilli() * 1000;
        RecordHeaders headers = new RecordHeaders();
        headers.add(io.askflow.kafka.HeaderKeys.TURN_EVENT_SEQ, Long.toString(floor).getBytes(java.nio.charset.StandardCharsets.UTF_8));

        List<Outgoing> out = handler.handle(new Incoming<>(Topics.TOOL_CALLS.name(), 0, 7, call.conversationId(), call, headers, NOW));

        assertThat(events).extracting(TurnEvent::step, TurnEvent::tool).containsExactly(
                org.assertj.core.groups.Tuple.tuple(TurnEvent.Step.TOOL_STARTED, "current_time"),
                org.assertj.core.groups.Tuple.tuple(TurnEvent.Step.TOOL_STARTED, "fetch_url"),
                org.assertj.core.groups.Tuple.tuple(TurnEvent.Step.TOOL_FINISHED, "current_time"),
                org.assertj.core.groups.Tuple.tuple(TurnEvent.Step.TOOL_FINISHED, "fetch_url"));
        assertThat(events.get(1).detail()).isEqualTo("https://example.com/page");
        assertThat(events.get(3).detail()).startsWith("error: ");
        assertThat(events).allSatisfy(e -> assertThat(e.kind()).isEqualTo(TurnEvent.Kind.PROGRESS));
        assertThat(events.get(0).seq()).isGreaterThan(floor);
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).seq()).isGreaterThan(events.get(i - 1).seq());
        }
        assertThat(out.get(0).headers()).containsEntry(io.askflow.kafka.HeaderKeys.TURN_EVENT_SEQ,
                Long.toString(events.get(3).seq()));
    }

    @Test
    void toolResultsAreAppendedAndTheNextRoundGoesBackToTheModel() throws Exception {
        ModelCall call = turn(NOW.plusSeconds(60), ChatMessage.assistantCalling(null, List.of(
                new ToolCall("call_1", "current_time", "{}"),
                new ToolCall("call_2", "fetch_url", "{\"url\":\"https://example.com\"}"))));

        List<Outgoing> out = handler.handle(in(call));

        assertThat(out).hasSize(1);
        assertThat(out.get(0).topic()).isEqualTo(Topics.MODEL_CALLS.name());
        assertThat(out.get(0).key()).isEqualTo("conv-1");
        ModelCall next = Topics.MODEL_CALLS.decode(out.get(0).value());
        assertThat(next.round()).isEqualTo(1);
        assertThat(next.messages()).hasSize(5);
        assertThat(next.messages().subList(3, 5)).extracting(ChatMessage::toolCallId).containsExactly("call_1", "call_2");
        assertThat(next.messages().get(3).content()).startsWith("Thursday, 26 November 2026, 08:33:02 UTC");
        // fetch_url is neither registered nor offered here: an error result, not an exception.
        assertThat(next.messages().get(4).content()).startsWith("error: ");
        assertThat(next.sources()).extracting(Source::url).containsExactly("https://earlier.example/");
        assertThat(next.usage()).isEqualTo(call.usage());
        assertThat(next.deadline()).isEqualTo(call.deadline());
    }

    @Test
    void aTurnPastItsDeadlineIsAnsweredWithoutRunningTools() throws Exception {
        ModelCall call = turn(NOW.minusSeconds(1), ChatMessage.assistantCalling(null,
                List.of(new ToolCall("call_1", "current_time", "{}"))));

        List<Outgoing> out = handler.handle(in(call));

        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.topic()).isEqualTo(Topics.ANSWERS.name());
            Answer a = Topics.ANSWERS.decode(o.value());
            assertThat(a.error().code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
            assertThat(a.requestId()).isEqualTo("req-1");
        });
    }

    @Test
    void aTurnThatAsksForNoToolsIsAnInternalError() throws Exception {
        List<Outgoing> out = handler.handle(in(turn(NOW.plusSeconds(60), ChatMessage.assistant("hi"))));
        assertThat(Topics.ANSWERS.decode(out.get(0).value()).error().code()).isEqualTo(ErrorCode.INTERNAL);
    }

    @Test
    void failuresBecomeAnInternalErrorAnswer() {
        ModelCall call = turn(NOW.plusSeconds(60), ChatMessage.assistant("hi"));
        List<Outgoing> out = handler.onFailure(in(call), new IllegalStateException("bug"));
        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.topic()).isEqualTo(Topics.ANSWERS.name());
            assertThat(o.key()).isEqualTo("conv-1");
            Answer a = Topics.ANSWERS.decode(o.value());
            assertThat(a.isOk()).isFalse();
            assertThat(a.error().code()).isEqualTo(ErrorCode.INTERNAL);
        });
    }
}
