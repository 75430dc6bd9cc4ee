package io.askflow.model;

import com.openai.client.OpenAIClient;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Topics;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.ChatMessage;
import io.askflow.message.Envelope;
import io.askflow.message.ErrorCode;
import io.askflow.message.Json;
import io.askflow.message.MetadataKeys;
import io.askflow.message.ModelCall;
import io.askflow.message.TurnEvent;
import io.askflow.openai.OpenAiClients;
import io.askflow.testkit.ScriptedModelServer;
import io.askflow.tool.BuiltinTools;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.askflow.model.HandlerIo.answerOf;
import static io.askflow.model.HandlerIo.in;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model-caller's decisions and fault policy, driven through openai-java against the scripted
 * model server (the real wire protocol), with sleeping recorded instead of done.
 */
class ModelCallHandlerTest {
    private static final Instant NOW = Instant.parse("2026-11-26T08:00:00Z");
    private static final String KEY = "sk-secret-test-key-123";

    private ScriptedModelServer server;
    private OpenAIClient client;
    private final SteppingClock clock = new SteppingClock(NOW);
    private final List<Duration> sleeps = clock.sleeps;
    private ModelCallHandler handler;
    private final HandlerIo.Events events = new HandlerIo.Events();

    @BeforeEach
    void setUp() {
        server = ScriptedModelServer.start();
        client = OpenAiClients.create(Config.of(Map.of(Settings.OPENAI_BASE_URL.name(), server.baseUrl(),
                Settings.OPENAI_API_KEY.name(), KEY, Settings.MODEL_TIMEOUT.name(), "PT5S")), "");
        ChatModel guarded = new GuardedModel(new OpenAiChatModel(client), new RateGate(clock),
                new QuotaBreaker(clock, Duration.ofMinutes(5)), new RequestLimiter(0, 0, Duration.ofMinutes(1), clock, clock), clock);
        handler = new ModelCallHandler(guarded, new RetryPolicy(2, Duration.ofMillis(500), Duration.ofSeconds(20), clock),
                clock, new ModelCallHandler.Options("default-model", 2, null), events.publisher(clock));
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    @Test
    void aTextReplyBecomesAnAnswerWithUsageAndModel() {
        server.enqueue(Reply.text("Hello!"));
        Answer a = answerOf(handler.handle(in(call(0, NOW.plusSeconds(60)))));
        assertThat(a.isOk()).isTrue();
        assertThat(a.text()).isEqualTo("Hello!");
        assertThat(a.model()).isEqualTo("default-model");
        assertThat(a.usage().totalTokens()).isPositive();
        assertThat(a.metadata()).containsEntry("model", "default-model");
        assertThat(server.requests()).hasSize(1);
        assertThat(server.requests().get(0).request().model()).isEqualTo("default-model");
        assertThat(server.requests().get(0).request().offersTool("fetch_url")).isTrue();
    }

    @Test
    void toolCallsGoToTheToolRunnerWithTheAssistantMessageAppended() {
        server.enqueue(Reply.toolCall("current_time", "{}"));
        List<Outgoing> out = handler.handle(in(call(0, NOW.plusSeconds(60))));
        assertThat(out).hasSize(1);
        assertThat(out.get(0).topic()).isEqualTo(Topics.TOOL_CALLS.name());
        ModelCall next = Topics.TOOL_CALLS.decode(out.get(0).value());
        assertThat(next.lastMessage().requestsTools()).isTrue();
        assertThat(next.lastMessage().toolCalls().get(0).name()).isEqualTo("current_time");
        assertThat(next.messages()).hasSize(3);
    }

    @Test
    void onTheLastRoundNoToolsAreOfferedAndAToolRequestEndsTheTurnWithACode() {
        server.enqueue(Reply.toolCall("current_time", "{}"));
        Answer a = answerOf(handler.handle(in(call(2, NOW.plusSeconds(60)))));
        assertThat(server.requests().get(0).request().tools()).isEmpty();
        assertThat(a.error().code()).isEqualTo(ErrorCode.TOOL_BUDGET_EXHAUSTED);
    }

    @Test
    void onTheLastRoundATextAnswerSaysTheBudgetRanOut() {
        server.enqueue(Reply.text("with what I have"));
        Answer a = answerOf(handler.handle(in(call(2, NOW.plusSeconds(60)))));
        assertThat(a.isOk()).isTrue();
        assertThat(a.metadata().get("budget")).contains("tool rounds exhausted");
    }

    @Test
    void aBudgetTheToolRunnerMarkedEndsToolUseWithANoteAndSaysSoInTheAnswer() {
        server.enqueue(Reply.text("with what I have"));
        ModelCall marked = call(0, NOW.plusSeconds(60)).withMetadata(MetadataKeys.BUDGET_EXHAUSTED, "web requests per turn (3)");
        Answer a = answerOf(handler.handle(in(marked)));
        assertThat(server.requests().get(0).request().tools()).isEmpty();
        var sent = server.requests().get(0).request().messages();
        assertThat(sent.getLast().role()).isEqualTo("system");
        assertThat(sent.getLast().text()).contains("tool budget of this turn is used up (web requests per turn (3) exhausted)")
                .contains("without calling tools");
        assertThat(a.isOk()).isTrue();
        assertThat(a.metadata()).containsEntry("budget",
                "web requests per turn (3) exhausted; answered with what the tools returned so far");
        assertThat(a.metadata()).containsEntry(MetadataKeys.BUDGET_EXHAUSTED, "web requests per turn (3)");
    }

    @Test
    void aModelThatStillAsksForToolsAfterAMarkedBudgetEndsWithACode() {
        server.enqueue(Reply.toolCall("current_time", "{}"));
        ModelCall marked = call(0, NOW.plusSeconds(60)).withMetadata(MetadataKeys.BUDGET_EXHAUSTED, "repeated tool call");
        Answer a = answerOf(handler.handle(in(marked)));
        assertThat(a.error().code()).isEqualTo(ErrorCode.TOOL_BUDGET_EXHAUSTED);
        assertThat(a.error().message()).contains("repeated tool call exhausted");
    }

    @Test
    void serverErrorsAreRetriedWithBackoffThenSucceed() {
        server.enqueue(Reply.serverError(), Reply.unavailable(), Reply.text("third time lucky"));
        Answer a = answerOf(handler.handle(in(call(0, NOW.plusSeconds(60)))));
        assertThat(a.text()).isEqualTo("third time lucky");
        assertThat(server.requests()).hasSize(3);
        assertThat(sleeps).hasSize(2);
        assertThat(sleeps.get(0)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
        assertThat(sleeps.get(1)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
    }

    @Test
    void retriesRunOutIntoAModelError() {
        server.enqueue(Reply.serverError(), Reply.serverError(), Reply.serverError(), Reply.text("too late"));
        Answer a = answerOf(handler.handle(in(call(0, NOW.plusSeconds(60)))));
        assertThat(a.error().code()).isEqualTo(ErrorCode.MODEL_ERROR);
        assertThat(a.error().message()).contains("500");
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void rateLimitsHonourRetryAfter() {
        server.enqueue(Reply.error(429, "slow down").withCode("rate_limit_exceeded").withHeader("Retry-After", "7"),
                Reply.text("ok now"));
        Answer a = answerOf(handler.handle(in(call(0, NOW.plusSeconds(60)))));
        assertThat(a.text()).isEqualTo("ok now");
        assertThat(sleeps).containsExactly(Duration.ofSeconds(7));
    }

    @Test
    void retryAfterIsCapped() {
        server.enqueue(Reply.error(429, "slow down").withHeader("Retry-After", "3600"), Reply.text("ok"));
        answerOf(handler.handle(in(call(0, NOW.plus(Duration.ofHours(2))))));
        assertThat(sleeps).containsExactly(FailureClassifier.MAX_RETRY_AFTER);
    }

    @Test
    void aRetryThatWouldPassTheDeadlineIsNotAttempted() {
        server.enqueue(Reply.error(429, "slow down").withHeader("Retry-After", "30"), Reply.text("never"));
        Answer a = answerOf(handler.handle(in(call(0, NOW.plusSeconds(10)))));
        assertThat(a.error().code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(server.requests()).hasSize(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void insufficientQuotaIsNeverRetried() {
        server.enqueue(Reply.error(429, "You exceeded your current quota").withCode("insufficient_quota"), Reply.text("never"));
        Answer a = answerOf(handler.handle(in(call(0, NOW.plusSeconds(60)))));
        assertThat(a.error().code()).isEqualTo(ErrorCode.QUOTA_EXHAUSTED);
        assertThat(server.requests()).hasSize(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void clientErrorsAreNotRetriedAndNeverEchoTheKey() {
        server.enqueue(Reply.error(401, "Incorrect API key provided: " + KEY).withCode("invalid_api_key"), Reply.text("never"));
        Answer a = answerOf(handler.handle(in(call(0, NOW.plusSeconds(60)))));
        assertThat(a.error().code()).isEqualTo(ErrorCode.MODEL_ERROR);
        assertThat(a.error().message()).contains("401").contains("invalid_api_key").doesNotContain(KEY);
        assertThat(Json.writeString(a)).doesNotContain(KEY);
        assertThat(server.requests()).hasSize(1);
        assertThat(server.requests().get(0).header("Authorization")).isEqualTo("Bearer " + KEY);
    }

    @Test
    void aTurnPastItsDeadlineIsAnsweredWithoutCallingTheModel() {
        Answer a = answerOf(handler.handle(in(call(0, NOW.minusSeconds(1)))));
        assertThat(a.error().code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void timeoutsAreRetriedAsModelErrors() {
        server.enqueue(Reply.text("slow").withDelay(Duration.ofSeconds(8)), Reply.text("fast"));
        Answer a = answerOf(handler.handle(in(call(0, NOW.plusSeconds(60)))));
        assertThat(a.text()).isEqualTo("fast");
        assertThat(sleeps).hasSize(1);
    }

    // --- streaming and turn events --------------------------------------------------------------

    @Test
    void aStreamedReplyIsPublishedAsDeltasThatConcatenateToTheAnswerAfterAModelCallProgressEvent() {
        server.enqueue(Reply.streamed(Reply.text("Today is Tuesday, 1 December 2026."), Duration.ofMillis(2)));
        Answer a = answerOf(handler.handle(in(call(0, NOW.plusSeconds(60)))));
        assertThat(server.requests().get(0).request().stream()).isTrue();
        assertThat(server.requests().get(0).request().includeUsage()).isTrue();
        assertThat(a.text()).isEqualTo("Today is Tuesday, 1 December 2026.");
        assertThat(a.usage().totalTokens()).as("usage from the stream's last chunk").isPositive();
        List<TurnEvent> published = events.published;
        assertThat(published.getFirst().kind()).isEqualTo(TurnEvent.Kind.PROGRESS);
        assertThat(published.getFirst().step()).isEqualTo(TurnEvent.Step.MODEL_CALL);
        assertThat(published.getLast().kind()).isEqualTo(TurnEvent.Kind.ANSWER);
        assertThat(published.getLast().text()).isEqualTo(a.text());
        List<TurnEvent> deltas = published.stream().filter(e -> e.kind() == TurnEvent.Kind.DELTA).toList();
        assertThat(deltas).hasSizeGreaterThan(3);
        assertThat(deltas.stream().map(TurnEvent::text).reduce("", String::concat)).isEqualTo(a.text());
        assertIncreasing(published);
    }

    @Test
    void parallelToolCallsInterleavedOverManyChunksAreAssembledByIndex() {
        server.enqueue(Reply.streamed(Reply.toolCalls(
                io.askflow.localmodel.ToolCall.of("fetch_url", "{\"url\":\"https://example.com/a-long-path\"}"),
                io.askflow.localmodel.ToolCall.of("current_time", "{\"timeZone\":\"Europe/Berlin\"}")), Duration.ZERO));
        List<Outgoing> out = handler.handle(in(call(0, NOW.plusSeconds(60))));
        ModelCall next = Topics.TOOL_CALLS.decode(out.get(0).value());
        List<io.askflow.message.ToolCall> calls = next.lastMessage().toolCalls();
        assertThat(calls).extracting(io.askflow.message.ToolCall::name).containsExactly("fetch_url", "current_time");
        assertThat(calls.get(0).arguments()).isEqualTo("{\"url\":\"https://example.com/a-long-path\"}");
        assertThat(calls.get(1).arguments()).isEqualTo("{\"timeZone\":\"Europe/Berlin\"}");
        assertThat(calls).allSatisfy(c -> assertThat(c.id()).startsWith("call_"));
        assertThat(calls.get(0).id()).isNotEqualTo(calls.get(1).id());
        assertThat(out.get(0).headers()).containsEntry(io.askflow.kafka.HeaderKeys.TURN_EVENT_SEQ,
                Long.toString(events.published.getLast().seq()));
    }

    @Test
    void aStreamCutOffMidReplyIsRetriedWithARetryEventAndTheAnswerIsTheRetriedAttemptsText() {
        server.enqueue(Reply.streamed(Reply.text("This first attempt breaks off somewhere in the middle"), Duration.ZERO)
                .breakingAfter(3), Reply.streamed(Reply.text("The second attempt is whole."), Duration.ZERO));
        Answer a = answerOf(handler.handle(in(call(0, NOW.plusSeconds(60)))));
        assertThat(a.text()).isEqualTo("The second attempt is whole.");
        assertThat(server.requests()).hasSize(2);
        List<TurnEvent> published = events.published;
        int retry = published.stream().map(TurnEvent::kind).toList().indexOf(TurnEvent.Kind.RETRY);
        assertThat(retry).as("a retry event").isPositive();
        assertThat(published.get(retry).attempt()).isEqualTo(1);
        assertThat(published.get(retry).detail()).contains("stream ended before its reply was complete");
        String before = published.subList(0, retry).stream().filter(e -> e.kind() == TurnEvent.Kind.DELTA)
                .map(TurnEvent::text).reduce("", String::concat);
        String after = published.subList(retry, published.size()).stream().filter(e -> e.kind() == TurnEvent.Kind.DELTA)
                .map(TurnEvent::text).reduce("", String::concat);
        assertThat(before).isEqualTo("This first attempt");
        assertThat(after).isEqualTo(a.text());
        assertThat(published.get(retry + 1).step()).isEqualTo(TurnEvent.Step.MODEL_CALL);
        assertIncreasing(published);
    }

    @Test
    void aRateLimitBeforeTheFirstChunkIsRetriedAsBeforeWithARetryEvent() {
        server.enqueue(Reply.rateLimited(Duration.ofSeconds(2)), Reply.streamed(Reply.text("after the wait"), Duration.ZERO));
        Answer a = answerOf(handler.handle(in(call(0, NOW.plusSeconds(60)))));
        assertThat(a.text()).isEqualTo("after the wait");
        assertThat(events.published).filteredOn(e -> e.kind() == TurnEvent.Kind.RETRY).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("rate limited"));
    }

    private static void assertIncreasing(List<TurnEvent> published) {
        for (int i = 1; i < published.size(); i++) {
            assertThat(published.get(i).seq()).as("seq of event %d", i).isGreaterThan(published.get(i - 1).seq());
        }
    }

    private static ModelCall call(int round, Instant deadline) {
        return ModelCall.builder().envelope(Envelope.builder().requestId("r-1").tenantId("t-1").conversationId("c-1")
                        .userId("u-1").deadline(deadline).build())
                .round(round).messages(List.of(ChatMessage.system("You are a test."), ChatMessage.user("Hi")))
                .tools(BuiltinTools.all()).build();
    }


}
