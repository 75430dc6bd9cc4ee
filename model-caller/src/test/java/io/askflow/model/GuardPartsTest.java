package io.askflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.core.http.Headers;
import com.openai.errors.SseException;
import io.askflow.message.ChatMessage;
import io.askflow.message.Envelope;
import io.askflow.message.ErrorCode;
import io.askflow.message.Json;
import io.askflow.message.ModelCall;
import io.askflow.message.ToolCall;
import io.askflow.message.ToolSpec;
import io.askflow.message.Usage;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The model-caller's fault policy piece by piece, on a clock that moves only when the code sleeps:
 * what each guard lets through, how long it makes a call wait, and what it concludes from a failure.
 */
class GuardPartsTest {
    private static final Instant NOW = Instant.parse("2026-12-01T08:00:00Z");
    private final SteppingClock clock = new SteppingClock(NOW);

    @Test
    void aCallsTokensAreEstimatedAtFourCharactersEachPlusOne() {
        ToolSpec tool = new ToolSpec("t", "0123456789", Json.tree("{\"a\":1}"));
        ModelCall c = call(List.of(ChatMessage.user("x".repeat(40)),
                ChatMessage.assistantCalling("yy", List.of(new ToolCall("id", "fn", "{\"q\":1}"))))).toBuilder()
                .tools(List.of(tool)).build();
        long messages = 40 + 2 + "fn".length() + "{\"q\":1}".length();
        assertThat(GuardedModel.estimateTokens(c, false)).isEqualTo(messages / 4 + 1);
        assertThat(GuardedModel.estimateTokens(c, true)).isEqualTo((messages + 10 + "{\"a\":1}".length()) / 4 + 1);
    }

    @Test
    void theApisCountReplacesTheEstimateInTheTokenWindow() {
        RequestLimiter limiter = new RequestLimiter(0, 100, Duration.ofMinutes(1), clock, clock);
        GuardedModel guarded = guarded(replyWithTokens(100), limiter);
        assertThat(guarded.complete(call(List.of(ChatMessage.user("hi"))), "m", false).message())
                .isEqualTo(ChatMessage.assistant("a"));
        assertThat(clock.sleeps).isEmpty();
        guarded.complete(call(List.of(ChatMessage.user("hi"))), "m", false);
        assertThat(clock.sleeps).as("100 tokens counted, not the 1 estimated: the second call waits out the window")
                .containsExactly(Duration.ofMinutes(1).plusMillis(1));
    }

    @Test
    void aReplyWithoutUsageKeepsItsEstimate() {
        RequestLimiter limiter = new RequestLimiter(0, 100, Duration.ofMinutes(1), clock, clock);
        GuardedModel guarded = guarded(replyWithTokens(0), limiter);
        ModelCall big = call(List.of(ChatMessage.user("x".repeat(240)))); // 61 tokens estimated
        guarded.complete(big, "m", false);
        guarded.complete(big, "m", false);
        assertThat(clock.sleeps).containsExactly(Duration.ofMinutes(1).plusMillis(1));
    }

    @Test
    void aTokenBudgetFilledExactlyIsNotExceededAndARequestLimitWaitsForTheOldestToLeave() throws Exception {
        RequestLimiter tokens = new RequestLimiter(0, 100, Duration.ofMinutes(1), clock, clock);
        tokens.acquire(50, NOW.plusSeconds(600));
        tokens.acquire(50, NOW.plusSeconds(600));
        assertThat(clock.sleeps).isEmpty();

        RequestLimiter requests = new RequestLimiter(1, 0, Duration.ofSeconds(10), clock, clock);
        requests.acquire(1, NOW.plusSeconds(600));
        clock.advance(Duration.ofSeconds(4));
        requests.acquire(1, NOW.plusSeconds(600));
        assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(6).plusMillis(1));
        assertThatThrownBy(() -> requests.acquire(1, clock.instant().plusSeconds(5)))
                .isInstanceOfSatisfying(ModelFailure.class, f -> assertThat(f.code()).isEqualTo(ErrorCode.RATE_LIMITED));
    }

    @Test
    void aRateLimitClosesTheGateForItsRetryAfterOrForTheDefaultPause() {
        RateGate gate = new RateGate(clock);
        GuardedModel limited = new GuardedModel(failing(new ModelFailure(ErrorCode.RATE_LIMITED, true,
                Duration.ofSeconds(5), "429", null)), gate, new QuotaBreaker(clock, Duration.ofMinutes(5)),
                new RequestLimiter(0, 0, Duration.ofMinutes(1), clock, clock), clock);
        assertThatThrownBy(() -> limited.complete(call(List.of(ChatMessage.user("hi"))), "m", false))
                .isInstanceOf(ModelFailure.class);
        clock.advance(Duration.ofMillis(4_999));
        assertThat(gate.isOpen()).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(gate.isOpen()).isTrue();

        GuardedModel noAdvice = new GuardedModel(failing(new ModelFailure(ErrorCode.RATE_LIMITED, true, null, "429", null)),
                gate, new QuotaBreaker(clock, Duration.ofMinutes(5)), new RequestLimiter(0, 0, Duration.ofMinutes(1), clock, clock),
                clock);
        assertThatThrownBy(() -> noAdvice.complete(call(List.of(ChatMessage.user("hi"))), "m", false))
                .isInstanceOf(ModelFailure.class);
        clock.advance(FailureClassifier.DEFAULT_RATE_LIMIT_PAUSE.minusMillis(1));
        assertThat(gate.isOpen()).isFalse();
    }

    @Test
    void theGateCountsEachPauseThatClosesOrExtendsItAndGivesUpBeforeADeadlineItCannotMeet() throws Exception {
        AtomicInteger pauses = new AtomicInteger();
        RateGate gate = new RateGate(clock, pauses::incrementAndGet);
        gate.closeFor(Duration.ofSeconds(5));
        gate.closeFor(Duration.ofSeconds(1)); // inside the current pause: not a new one
        assertThat(pauses).hasValue(1);
        gate.closeFor(Duration.ofSeconds(10));
        assertThat(pauses).hasValue(2);
        assertThat(gate.awaitOpen(NOW.plusSeconds(9), clock)).isFalse();
        assertThat(clock.sleeps).isEmpty();
        assertThat(gate.awaitOpen(NOW.plusSeconds(11), clock)).isTrue();
        assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(10));
    }

    @Test
    void anOpenQuotaBreakerRefusesAtOnceAndSaysUntilWhen() {
        QuotaBreaker quota = new QuotaBreaker(clock, Duration.ofMinutes(5));
        quota.trip();
        GuardedModel guarded = new GuardedModel(replyWithTokens(1), new RateGate(clock), quota,
                new RequestLimiter(0, 0, Duration.ofMinutes(1), clock, clock), clock);
        assertThatThrownBy(() -> guarded.complete(call(List.of(ChatMessage.user("hi"))), "m", false))
                .isInstanceOfSatisfying(ModelFailure.class, f -> {
                    assertThat(f.code()).isEqualTo(ErrorCode.QUOTA_EXHAUSTED);
                    assertThat(f.getMessage()).contains("until " + NOW.plus(Duration.ofMinutes(5)));
                });
    }

    @Test
    void retriesWaitTheBackoffAndStopAtTheDeadlineOrAnInterrupt() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofSeconds(1), clock);
        for (int i = 0; i < 50; i++) {
            assertThat(policy.backoff(0)).isBetween(Duration.ZERO, Duration.ofMillis(1));
        }
        AtomicInteger calls = new AtomicInteger();
        Supplier<String> flaky = () -> {
            if (calls.incrementAndGet() < 3) {
                throw new ModelFailure(ErrorCode.MODEL_ERROR, true, Duration.ofSeconds(2), "503", null);
            }
            return "ok";
        };
        assertThat(policy.run(flaky, clock::instant, NOW.plusSeconds(60))).isEqualTo("ok");
        assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));

        RetryPolicy interrupted = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofSeconds(1), d -> {
            throw new InterruptedException();
        });
        try {
            assertThatThrownBy(() -> interrupted.run(() -> {
                throw new ModelFailure(ErrorCode.MODEL_ERROR, true, null, "503", null);
            }, clock::instant, NOW.plusSeconds(60))).isInstanceOf(ModelFailure.class);
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the caller").isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void failuresOutsideTheApiAreInternalAndAStreamsErrorEventIsRetried() {
        ModelFailure own = new ModelFailure(ErrorCode.MODEL_ERROR, false, null, "x", null);
        assertThat(FailureClassifier.classify(own)).isSameAs(own);
        ModelFailure bug = FailureClassifier.classify(new IllegalStateException("boom"));
        assertThat(bug.code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(bug.retriable()).isFalse();
        assertThat(bug.getMessage()).contains("IllegalStateException");
        ModelFailure midStream = FailureClassifier.classify(SseException.builder().statusCode(200)
                .headers(Headers.builder().build()).build());
        assertThat(midStream.code()).isEqualTo(ErrorCode.MODEL_ERROR);
        assertThat(midStream.retriable()).isTrue();
        assertThat(midStream.getMessage()).contains("mid-stream");
    }

    @Test
    void retryAfterIsReadAsSecondsOrADateAndKeptBetweenZeroAndTheCap() {
        assertThat(FailureClassifier.retryAfter(List.of("1.5"))).isEqualTo(Duration.ofMillis(1_500));
        assertThat(FailureClassifier.retryAfter(List.of("-5"))).isEqualTo(Duration.ZERO);
        assertThat(FailureClassifier.retryAfter(List.of("600"))).isEqualTo(FailureClassifier.MAX_RETRY_AFTER);
        assertThat(FailureClassifier.retryAfter(List.of("soon"))).isNull();
        assertThat(FailureClassifier.retryAfter(List.of())).isNull();
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.parse("2020-01-01T00:00:00Z"));
        assertThat(FailureClassifier.retryAfter(List.of(past))).isEqualTo(Duration.ZERO);
        String later = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(java.time.ZoneOffset.UTC).plusHours(1));
        assertThat(FailureClassifier.retryAfter(List.of(later))).isEqualTo(FailureClassifier.MAX_RETRY_AFTER);
    }

    private GuardedModel guarded(ChatModel model, RequestLimiter limiter) {
        return new GuardedModel(model, new RateGate(clock), new QuotaBreaker(clock, Duration.ofMinutes(5)), limiter, clock);
    }

    private static ModelCall call(List<ChatMessage> messages) {
        return ModelCall.builder().envelope(Envelope.builder().requestId("r").tenantId("t").conversationId("c")
                .deadline(NOW.plusSeconds(600)).build()).messages(messages).build();
    }

    private static ChatModel replyWithTokens(long total) {
        return (call, modelName, offerTools) -> new ChatModel.Reply(ChatMessage.assistant("a"),
                total == 0 ? Usage.ZERO : Usage.ofCall("m", total - 1, 0, 1, 0, total), "m", null);
    }

    private static ChatModel failing(RuntimeException e) {
        return (call, modelName, offerTools) -> {
            throw e;
        };
    }

    @Test
    void anInterruptWhileWaitingForTheGateEndsTheCallAndKeepsTheInterrupt() {
        RateGate gate = new RateGate(clock);
        gate.closeFor(Duration.ofSeconds(5));
        GuardedModel guarded = new GuardedModel(replyWithTokens(1), gate, new QuotaBreaker(clock, Duration.ofMinutes(5)),
                new RequestLimiter(0, 0, Duration.ofMinutes(1), clock, clock), d -> {
                    throw new InterruptedException();
                });
        try {
            assertThatThrownBy(() -> guarded.complete(call(List.of(ChatMessage.user("hi"))), "m", false))
                    .isInstanceOfSatisfying(ModelFailure.class, f -> assertThat(f.code()).isEqualTo(ErrorCode.INTERNAL));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
