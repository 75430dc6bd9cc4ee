package io.askflow.model;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Opens when the model API reports {@code insufficient_quota}: for the cool-down that follows,
 * calls fail at once with quota_exhausted instead of asking an API that has already said no.
 */
final class QuotaBreaker {
    private final Clock clock;
    private final Duration coolDown;
    private volatile Instant openUntil = Instant.MIN;

    QuotaBreaker(Clock clock, Duration coolDown) {
        this.clock = clock;
        this.coolDown = coolDown;
    }

    void trip() {
        openUntil = clock.instant().plus(coolDown);
    }

    boolean isOpen() {
        return clock.instant().isBefore(openUntil);
    }

    Instant openUntil() {
        return openUntil;
    }
}
