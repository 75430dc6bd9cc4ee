package io.askflow.model;

import io.askflow.time.Sleeper;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * askflow's only retry layer for model calls (the SDK's own retries are switched off). Retries a
 * retriable failure up to {@code maxRetries} times, waiting the API's Retry-After when it gave one,
 * else exponential backoff with jitter (between half and all of the step), and never past the turn's deadline.
 */
final class RetryPolicy {
    private final int maxRetries;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final Sleeper sleeper;

    RetryPolicy(int maxRetries, Duration baseDelay, Duration maxDelay, Sleeper sleeper) {
        this.maxRetries = maxRetries;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.sleeper = sleeper;
    }

    /** Told before each repetition: which attempt comes next (1 for the first retry), after what failure. */
    @FunctionalInterface
    interface OnRetry {
        void retrying(int nextAttempt, ModelFailure failure, Duration wait);
    }

    <T> T run(Supplier<T> call, Supplier<Instant> clock, Instant deadline) {
        return run(call, clock, deadline, (next, failure, wait) -> { });
    }

    <T> T run(Supplier<T> call, Supplier<Instant> clock, Instant deadline, OnRetry onRetry) {
        for (int attempt = 0;; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                ModelFailure failure = FailureClassifier.classify(e);
                if (!failure.retriable() || attempt >= maxRetries) {
                    throw failure;
                }
                int step = attempt;
                Duration wait = failure.retryAfter().orElseGet(() -> backoff(step));
                if (clock.get().plus(wait).isAfter(deadline)) {
                    throw failure;
                }
                onRetry.retrying(attempt + 1, failure, wait);
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw failure;
                }
            }
        }
    }

    Duration backoff(int attempt) {
        long ceiling = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt, 20));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
    }
}
