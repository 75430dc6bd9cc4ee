package io.askflow.model;

import static io.askflow.model.HandlerIo.answerOf;
import static io.askflow.model.HandlerIo.in;
import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.kafka.Topics;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.ChatMessage;
import io.askflow.message.Envelope;
import io.askflow.message.MetadataKeys;
import io.askflow.message.ModelCall;
import io.askflow.message.ModelUsage;
import io.askflow.message.Usage;
import io.askflow.testkit.ScriptedModelServer;
import io.askflow.tool.BuiltinTools;
import io.askflow.usage.PriceTable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Usage as openai-java reads it off the wire (cached and reasoning tokens included), summed over a
 * turn's rounds and the summary that began it, and priced into the answer's metadata.
 */
class ModelCallCostTest {
    private static final Instant NOW = Instant.parse("2026-12-01T08:00:00Z");
    private static final PriceTable PRICES = PriceTable.parse(
            "{\"models\":{\"priced-model\":{\"input\":2,\"cachedInput\":1,\"output\":8}}}");

    private ScriptedApi api;
    private ScriptedModelServer server;

    @BeforeEach
    void setUp() {
        api = ScriptedApi.start();
        server = api.server();
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private ModelCallHandler handler(PriceTable prices) {
        SteppingClock clock = new SteppingClock(NOW);
        return new ModelCallHandler(new OpenAiChatModel(api.client()),
                new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1), clock), clock,
                new ModelCallHandler.Options("priced-model", 2, null, prices), new HandlerIo.Events().publisher(clock));
    }

    @Test
    void everyRoundAndTheSummaryAreSummedWithCachedAndReasoningTokensAndPriced() {
        server.enqueue(Reply.toolCall("current_time", "{}").withTokens(new Reply.Tokens(300, 100, 20, 5)),
                Reply.text("It is now.").withTokens(new Reply.Tokens(400, 250, 30, 12)));
        ModelCallHandler handler = handler(PRICES);
        Usage summary = Usage.ofCall("priced-model", 700, 0, 40, 0, 740);
        ModelCall first = call().toBuilder().usage(summary).build();

        ModelCall asked = Topics.TOOL_CALLS.decode(handler.handle(in(first)).getFirst().value());
        ModelCall next = asked.nextRound(List.of(ChatMessage.toolResult(
                asked.lastMessage().toolCalls().getFirst(), "08:00")), List.of());
        Answer a = answerOf(handler.handle(in(next)));

        assertThat(a.usage()).isEqualTo(new Usage(1400, 90, 1490, 350, 17, 3,
                Map.of("priced-model", new ModelUsage(1400, 350, 90, 17, 3))));
        BigDecimal expected = BigDecimal.valueOf((1400 - 350) * 2 + 350 * 1 + 90 * 8).divide(BigDecimal.valueOf(1_000_000));
        assertThat(new BigDecimal(a.metadata().get(MetadataKeys.COST_USD))).isEqualByComparingTo(expected);
    }

    @Test
    void aModelWithoutAPriceHasNoCostAndSaysSo() {
        server.enqueue(Reply.text("Hi.").withTokens(new Reply.Tokens(10, 0, 2, 0)));
        Answer a = answerOf(handler(PRICES).handle(in(call().toBuilder().model("other-model").build())));
        assertThat(a.metadata()).doesNotContainKey(MetadataKeys.COST_USD).containsEntry(MetadataKeys.COST_UNPRICED, "other-model");
    }

    @Test
    void withoutAPriceTableAnswersCarryNoCostKeys() {
        server.enqueue(Reply.text("Hi."));
        Answer a = answerOf(handler(PriceTable.NONE).handle(in(call())));
        assertThat(a.usage().calls()).isEqualTo(1);
        assertThat(a.metadata()).doesNotContainKeys(MetadataKeys.COST_USD, MetadataKeys.COST_UNPRICED);
    }

    private static ModelCall call() {
        return ModelCall.builder().envelope(Envelope.builder().requestId("r-1").tenantId("t-1").conversationId("c-1")
                        .userId("u-1").deadline(NOW.plusSeconds(60)).build())
                .messages(List.of(ChatMessage.system("You are a test."), ChatMessage.user("What time is it?")))
                .tools(BuiltinTools.all()).build();
    }
}
