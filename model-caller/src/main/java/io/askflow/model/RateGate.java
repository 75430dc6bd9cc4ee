package io.askflow.model;

import io.askflow.time.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Closed while the model API has told us to slow down (a 429 with Retry-After). Every call waits
 * for it to open, and the model-caller's runner stops taking records from Kafka meanwhile, so a
 * rate limit turns into a backlog in the topic rather than a storm of retries.
 */
final class RateGate {
    private final Clock clock;
    private final Runnable onPause;
    private volatile Instant closedUntil = Instant.MIN;

    RateGate(Clock clock) {
        this(clock, () -> { });
    }

    /** @param onPause told each time a rate limit closes (or extends) the gate, for the pause counter */
    RateGate(Clock clock, Runnable onPause) {
        this.clock = clock;
        this.onPause = onPause;
    }

    boolean isOpen() {
        return !clock.instant().isBefore(closedUntil);
    }

    synchronized void closeFor(Duration duration) {
        Instant until = clock.instant().plus(duration);
        if (until.isAfter(closedUntil)) {
            closedUntil = until;
            onPause.run();
        }
    }

    /** Waits until open; false when it would not open before the deadline. */
    boolean awaitOpen(Instant deadline, Sleeper sleeper) throws InterruptedException {
        while (true) {
            Instant until = closedUntil;
            Instant now = clock.instant();
            if (!now.isBefore(until)) {
                return true;
            }
            if (until.isAfter(deadline)) {
                return false;
            }
            sleeper.sleep(Duration.between(now, until));
        }
    }
}
