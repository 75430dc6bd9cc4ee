package io.askflow.model;

import io.askflow.message.ChatMessage;
import io.askflow.message.ErrorCode;
import io.askflow.message.ModelCall;
import io.askflow.message.ToolSpec;
import io.askflow.time.Sleeper;

/**
 * The model with askflow's fault policy around each attempt: fail fast while the quota breaker is
 * open, wait while the rate gate is closed, take a permit from the client-side limiter, and feed
 * what the API answered back into all three. Retrying is {@link RetryPolicy}'s job, around this.
 */
final class GuardedModel implements ChatModel {
    private final ChatModel model;
    private final RateGate gate;
    private final QuotaBreaker quota;
    private final RequestLimiter limiter;
    private final Sleeper sleeper;

    GuardedModel(ChatModel model, RateGate gate, QuotaBreaker quota, RequestLimiter limiter, Sleeper sleeper) {
        this.model = model;
        this.gate = gate;
        this.quota = quota;
        this.limiter = limiter;
        this.sleeper = sleeper;
    }

    @Override
    public Reply complete(ModelCall call, String modelName, boolean offerTools) {
        return complete(call, modelName, offerTools, Deltas.NONE);
    }

    @Override
    public Reply complete(ModelCall call, String modelName, boolean offerTools, Deltas deltas) {
        if (quota.isOpen()) {
            throw new ModelFailure(ErrorCode.QUOTA_EXHAUSTED, false, null,
                    "The model API account had no quota left; askflow is not calling it until " + quota.openUntil(), null);
        }
        RequestLimiter.Permit permit;
        try {
            if (!gate.awaitOpen(call.deadline(), sleeper)) {
                throw new ModelFailure(ErrorCode.RATE_LIMITED, false, null,
                        "The model API is rate-limiting askflow beyond this turn's deadline", null);
            }
            permit = limiter.acquire(estimateTokens(call, offerTools), call.deadline());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelFailure(ErrorCode.INTERNAL, false, null, "Interrupted while waiting to call the model", e);
        }
        try {
            Reply reply = model.complete(call, modelName, offerTools, deltas);
            if (reply.usage().totalTokens() > 0) {
                permit.settle(reply.usage().totalTokens());
            }
            return reply;
        } catch (RuntimeException e) {
            ModelFailure failure = FailureClassifier.classify(e);
            if (failure.code() == ErrorCode.QUOTA_EXHAUSTED) {
                quota.trip();
            } else if (failure.code() == ErrorCode.RATE_LIMITED) {
                gate.closeFor(failure.retryAfter().orElse(FailureClassifier.DEFAULT_RATE_LIMIT_PAUSE));
            }
            throw failure;
        }
    }

    /** Roughly four characters a token, the usual rule for English; corrected by the API's usage afterwards. */
    static long estimateTokens(ModelCall call, boolean offerTools) {
        long chars = 0;
        for (ChatMessage m : call.messages()) {
            chars += m.content() == null ? 0 : m.content().length();
            chars += m.toolCalls().stream().mapToLong(c -> c.arguments().length() + c.name().length()).sum();
        }
        if (offerTools) {
            for (ToolSpec t : call.tools()) {
                chars += t.description().length() + t.parameters().toString().length();
            }
        }
        return chars / 4 + 1;
    }
}
