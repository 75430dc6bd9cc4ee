package io.askflow.model;

import io.askflow.message.ErrorCode;
import io.askflow.time.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A client-side cap on requests and tokens per window (a minute in production), so askflow stays
 * inside the account's limits instead of learning them from 429s. Each call takes a permit before
 * it is sent, reserving its estimated tokens; when the reply comes, the estimate is replaced by the
 * tokens the API reported. A call that could not get a permit before its deadline fails with
 * rate_limited. Zero disables a limit.
 */
final class RequestLimiter {
    private final int maxRequests;
    private final long maxTokens;
    private final Duration window;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Deque<Permit> recent = new ArrayDeque<>();
    /**
     * The tokens of the permits in {@link #recent}, kept as they change: summing the window on every
     * call cost a model-caller at a thousand calls a second a tenth of its CPU (a minute's window
     * holds 60,000 permits).
     */
    private long usedTokens;

    /** A call's place in the window. */
    final class Permit {
        private final Instant at;
        private long tokens;

        private Permit(Instant at, long tokens) {
            this.at = at;
            this.tokens = tokens;
        }

        void settle(long actualTokens) {
            synchronized (RequestLimiter.this) {
                if (this != unlimited) {
                    usedTokens += actualTokens - tokens;
                }
                tokens = actualTokens;
            }
        }
    }

    /** Handed out when neither limit is set: nothing to count, nothing to wait for. */
    private final Permit unlimited = new Permit(Instant.EPOCH, 0);

    RequestLimiter(int maxRequests, long maxTokens, Duration window, Clock clock, Sleeper sleeper) {
        this.maxRequests = maxRequests;
        this.maxTokens = maxTokens;
        this.window = window;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    Permit acquire(long estimatedTokens, Instant deadline) throws InterruptedException {
        if (maxRequests <= 0 && maxTokens <= 0) {
            return unlimited;
        }
        while (true) {
            Duration wait;
            synchronized (this) {
                Instant now = clock.instant();
                while (!recent.isEmpty() && !recent.peekFirst().at.isAfter(now.minus(window))) {
                    usedTokens -= recent.removeFirst().tokens;
                }
                boolean requestsOk = maxRequests <= 0 || recent.size() < maxRequests;
                // A single call larger than the whole budget may go alone, or it could never go.
                boolean tokensOk = maxTokens <= 0 || usedTokens + estimatedTokens <= maxTokens || recent.isEmpty();
                if (requestsOk && tokensOk) {
                    Permit p = new Permit(now, estimatedTokens);
                    recent.addLast(p);
                    usedTokens += estimatedTokens;
                    return p;
                }
                Instant freeAt = recent.peekFirst().at.plus(window);
                if (freeAt.isAfter(deadline)) {
                    throw new ModelFailure(ErrorCode.RATE_LIMITED, false, null,
                            "askflow's own limit of model requests or tokens per minute leaves no room before the deadline", null);
                }
                wait = Duration.between(now, freeAt).plusMillis(1);
            }
            sleeper.sleep(wait);
        }
    }
}
