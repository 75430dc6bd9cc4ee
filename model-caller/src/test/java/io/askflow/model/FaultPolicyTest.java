package io.askflow.model;

import static io.askflow.model.HandlerIo.answerOf;
import static io.askflow.model.HandlerIo.in;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import io.askflow.config.Config;
import io.askflow.openai.OpenAiClients;
import io.askflow.config.Settings;
import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Topics;
import io.askflow.localmodel.Reply;
import io.askflow.localmodel.TokenEstimate;
import io.askflow.message.Answer;
import io.askflow.message.ChatMessage;
import io.askflow.message.Envelope;
import io.askflow.message.ErrorCode;
import io.askflow.message.ModelCall;
import io.askflow.message.ToolCall;
import io.askflow.testkit.ReceivedRequest;
import io.askflow.testkit.ScriptedModelServer;
import io.askflow.time.Sleeper;
import io.askflow.tool.BuiltinTools;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The model-API fault policy, driven through openai-java against the scripted model server and
 * asserted on what the server saw: attempts, their times, and the answer the client got.
 */
class FaultPolicyTest {
    private static final Instant NOW = Instant.parse("2026-11-26T08:00:00Z");

    private ScriptedModelServer server;
    private OpenAIClient client;

    @BeforeEach
    void setUp() {
        server = ScriptedModelServer.start();
        client = OpenAiClients.create(Config.of(Map.of(Settings.OPENAI_BASE_URL.name(), server.baseUrl(),
                Settings.OPENAI_API_KEY.name(), "sk-test", Settings.MODEL_TIMEOUT.name(), "PT5S")), "");
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    @Test
    void insufficientQuotaOpensTheBreakerSoLaterCallsFailFastUntilTheCoolDownEnds() {
        SteppingClock clock = new SteppingClock(NOW);
        QuotaBreaker quota = new QuotaBreaker(clock, Duration.ofMinutes(5));
        ModelCallHandler handler = handler(clock, new RateGate(clock), quota, new RequestLimiter(0, 0, Duration.ofMinutes(1), clock, clock));
        server.respondWith(r -> Reply.error(429, "You exceeded your current quota").withCode("insufficient_quota"));

        assertThat(answerOf(handler.handle(in(call("a", NOW.plusSeconds(600))))).error().code()).isEqualTo(ErrorCode.QUOTA_EXHAUSTED);
        assertThat(server.requests()).hasSize(1);
        for (int i = 0; i < 5; i++) {
            Answer a = answerOf(handler.handle(in(call("b" + i, NOW.plusSeconds(600)))));
            assertThat(a.error().code()).isEqualTo(ErrorCode.QUOTA_EXHAUSTED);
            assertThat(a.error().message()).contains("not calling it until");
        }
        assertThat(server.requests()).as("no call while the breaker is open").hasSize(1);

        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        server.respondWith(r -> Reply.text("quota is back"));
        assertThat(answerOf(handler.handle(in(call("c", NOW.plusSeconds(900))))).text()).isEqualTo("quota is back");
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void aRateLimitClosesTheGateSoOtherCallsWaitInsteadOfStorming() {
        SteppingClock clock = new SteppingClock(NOW);
        RateGate gate = new RateGate(clock);
        ModelCallHandler handler = handler(clock, gate, new QuotaBreaker(clock, Duration.ofMinutes(5)),
                new RequestLimiter(0, 0, Duration.ofMinutes(1), clock, clock));
        server.enqueue(Reply.error(429, "slow down").withCode("rate_limit_exceeded").withHeader("Retry-After", "4"),
                Reply.text("first"), Reply.text("second"));

        assertThat(answerOf(handler.handle(in(call("a", NOW.plusSeconds(60))))).text()).isEqualTo("first");
        // The runner pauses consumption while the gate is closed: here it was closed for the 4 s asked.
        assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(4));
        gate.closeFor(Duration.ofSeconds(3));
        assertThat(gate.isOpen()).isFalse();
        assertThat(answerOf(handler.handle(in(call("b", NOW.plusSeconds(60))))).text()).isEqualTo("second");
        assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(4), Duration.ofSeconds(3));
        List<ReceivedRequest> seen = server.requests();
        assertThat(seen).hasSize(3);
    }

    @Test
    void malformedToolArgumentsGoBackToTheModelOnceThenEndTheTurnWithACode() {
        SteppingClock clock = new SteppingClock(NOW);
        ModelCallHandler handler = handler(clock, new RateGate(clock), new QuotaBreaker(clock, Duration.ofMinutes(5)),
                new RequestLimiter(0, 0, Duration.ofMinutes(1), clock, clock));
        server.enqueue(Reply.toolCall("fetch_url", "{\"url\": \"http://x"), Reply.toolCall("fetch_url", "not json at all"));

        List<Outgoing> first = handler.handle(in(call("a", NOW.plusSeconds(60))));
        assertThat(first.get(0).topic()).isEqualTo(Topics.TOOL_CALLS.name()); // the tool-runner reports the error to the model
        ModelCall afterFirst = Topics.TOOL_CALLS.decode(first.get(0).value());
        ToolCall bad = afterFirst.lastMessage().toolCalls().get(0);
        ModelCall reported = afterFirst.nextRound(List.of(ChatMessage.toolResult(bad,
                "error: invalid arguments for fetch_url: not valid JSON")), afterFirst.sources());

        Answer a = answerOf(handler.handle(in(reported)));
        assertThat(a.error().code()).isEqualTo(ErrorCode.MODEL_ERROR);
        assertThat(a.error().message()).contains("not valid JSON a second time");
        assertThat(server.requests()).hasSize(2);
    }

    /**
     * The limiter spaces the moments calls are sent; the server sees them after a transit time that
     * varies with load (JIT, GC, two busy cores: 23 ms seen on a quiet machine, 205 ms at a load
     * of 25). The allowance stays well below the window, so a limiter letting one call too many
     * through (arrivals milliseconds apart) still fails.
     */
    private static final Duration TRANSIT_JITTER = Duration.ofMillis(300);

    @Test
    void theRequestsPerWindowLimitIsNeverExceededAtTheServer() throws Exception {
        // Production uses a one-minute window; the same limiter is measured here on a one-second window.
        Duration window = Duration.ofSeconds(1);
        int limit = 3;
        server.respondWith(r -> Reply.text("ok"));
        Clock clock = Clock.systemUTC();
        warmUp(clock);
        RequestLimiter limiter = new RequestLimiter(limit, 0, window, clock, Sleeper.SYSTEM);
        ModelCallHandler handler = handler(clock, Sleeper.SYSTEM, new RateGate(clock),
                new QuotaBreaker(clock, Duration.ofMinutes(5)), limiter);
        runConcurrently(handler, 10, clock);

        List<Instant> arrivals = server.requests().stream().map(ReceivedRequest::arrival).sorted().toList();
        assertThat(arrivals).hasSize(10);
        for (int i = 0; i + limit < arrivals.size(); i++) {
            assertThat(Duration.between(arrivals.get(i), arrivals.get(i + limit)))
                    .as("%d requests within one window", limit + 1).isGreaterThanOrEqualTo(window.minus(TRANSIT_JITTER));
        }
    }

    @Test
    void theTokensPerWindowLimitIsNeverExceededAtTheServer() throws Exception {
        Duration window = Duration.ofSeconds(1);
        Reply reply = Reply.text("ok");
        server.respondWith(r -> reply);
        Clock clock = Clock.systemUTC();
        long perCall = tokensOfOneCall(reply);
        long limit = perCall * 2 + perCall / 2; // room for two calls per window
        RequestLimiter limiter = new RequestLimiter(0, limit, window, clock, Sleeper.SYSTEM);
        ModelCallHandler handler = handler(clock, Sleeper.SYSTEM, new RateGate(clock),
                new QuotaBreaker(clock, Duration.ofMinutes(5)), limiter);
        runConcurrently(handler, 8, clock);

        List<ReceivedRequest> seen = server.requests().stream()
                .sorted((a, b) -> a.arrival().compareTo(b.arrival())).toList();
        assertThat(seen).hasSize(8);
        for (ReceivedRequest start : seen) {
            long inWindow = seen.stream()
                    .filter(r -> !r.arrival().isBefore(start.arrival()) && r.arrival().isBefore(start.arrival().plus(window).minus(TRANSIT_JITTER)))
                    .mapToLong(r -> TokenEstimate.prompt(r.request()) + TokenEstimate.completion(reply)).sum();
            assertThat(inWindow).as("tokens served in the window from %s", start.arrival()).isLessThanOrEqualTo(limit);
        }
    }

    private long tokensOfOneCall(Reply reply) {
        server.enqueue(reply);
        SteppingClock c = new SteppingClock(NOW);
        handler(c, new RateGate(c), new QuotaBreaker(c, Duration.ofMinutes(5)), new RequestLimiter(0, 0, Duration.ofMinutes(1), c, c))
                .handle(in(call("probe-0", NOW.plusSeconds(60))));
        ReceivedRequest probe = server.requests().get(0);
        server.reset();
        server.respondWith(r -> reply);
        return TokenEstimate.prompt(probe.request()) + TokenEstimate.completion(reply);
    }

    /**
     * One unlimited call first: the first streamed call of a JVM loads the SDK's request and
     * streaming code, and on a loaded machine that made the first window's calls arrive up to 0.4 s
     * later than the next window's, which the jitter allowance is not meant to absorb.
     */
    private void warmUp(Clock clock) throws Exception {
        runConcurrently(handler(clock, Sleeper.SYSTEM, new RateGate(clock), new QuotaBreaker(clock, Duration.ofMinutes(5)),
                new RequestLimiter(0, 0, Duration.ofMinutes(1), clock, Sleeper.SYSTEM)), 3, clock);
        server.reset();
        server.respondWith(r -> Reply.text("ok"));
    }

    private void runConcurrently(ModelCallHandler handler, int n, Clock clock) throws Exception {
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<Outgoing>>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = "probe-" + (i % 10);
                results.add(pool.submit(() -> handler.handle(in(call(id, clock.instant().plusSeconds(60))))));
            }
            for (Future<List<Outgoing>> f : results) {
                assertThat(answerOf(f.get()).isOk()).isTrue();
            }
        }
    }

    private ModelCallHandler handler(SteppingClock clock, RateGate gate, QuotaBreaker quota, RequestLimiter limiter) {
        return handler(clock, clock, gate, quota, limiter);
    }

    private ModelCallHandler handler(Clock clock, Sleeper sleeper, RateGate gate, QuotaBreaker quota, RequestLimiter limiter) {
        return new ModelCallHandler(new GuardedModel(new OpenAiChatModel(client), gate, quota, limiter, sleeper),
                new RetryPolicy(2, Duration.ofMillis(500), Duration.ofSeconds(20), sleeper), clock,
                new ModelCallHandler.Options("m", 3, null), new HandlerIo.Events().publisher(clock));
    }

    /** Calls of equal size, so token counts per call are the same. */
    private static ModelCall call(String id, Instant deadline) {
        return ModelCall.builder().envelope(Envelope.builder().requestId(id).tenantId("t").conversationId("c-" + id)
                        .userId("u").deadline(deadline).build())
                .messages(List.of(ChatMessage.system("You are a test."), ChatMessage.user("Hello " + id.substring(id.length() - 1))))
                .tools(BuiltinTools.all()).build();
    }


}
