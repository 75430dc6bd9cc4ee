package io.askflow.time;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff: the one retry loop of askflow (the runner's transient handler failures, the
 * publisher's unacknowledged sends, the start-up steps). Each caller decides per failure whether
 * to go on, which is where they differ; how long to wait, and the waiting, live here.
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final double multiplier;
    private final Sleeper sleeper;

    /** What to do after an attempt failed: rethrow (or throw another) to stop, or return how long to wait. */
    @FunctionalInterface
    public interface Decision {
        /**
         * @param attempts attempts made so far, this one included
         * @param delay the backoff's next delay
         * @return how long to wait before the next attempt (usually {@code delay})
         */
        Duration onFailure(Exception failure, int attempts, Duration delay) throws Exception;
    }

    /** One attempt; it may be repeated. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run() throws Exception;
    }

    public Backoff(Duration initial, Duration max, double multiplier, Sleeper sleeper) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || multiplier < 1) {
            throw new IllegalArgumentException("Backoff needs 0 < initial <= max and multiplier >= 1, was "
                    + initial + ", " + max + ", " + multiplier);
        }
        this.initial = initial;
        this.max = max;
        this.multiplier = multiplier;
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** Doubling from {@code initial} up to {@code max}, really sleeping. */
    public static Backoff doubling(Duration initial, Duration max) {
        return new Backoff(initial, max, 2, Sleeper.SYSTEM);
    }

    public Backoff withSleeper(Sleeper other) {
        return new Backoff(initial, max, multiplier, other);
    }

    /** The delay after {@code delay}: multiplied, at most {@link #max}. */
    Duration after(Duration delay) {
        double next = delay.toNanos() * multiplier;
        return next >= max.toNanos() ? max : Duration.ofNanos((long) next);
    }

    /**
     * Runs {@code attempt} until it succeeds or {@code decision} ends it by throwing. An interrupt
     * while waiting ends it with the {@link InterruptedException}.
     */
    public <T> T retry(Attempt<T> attempt, Decision decision) throws Exception {
        Duration delay = initial;
        for (int attempts = 1; ; attempts++) {
            try {
                return attempt.run();
            } catch (Exception e) {
                Duration wait = decision.onFailure(e, attempts, delay);
                if (wait.isPositive()) {
                    sleeper.sleep(wait);
                }
                delay = after(delay);
            }
        }
    }
}
