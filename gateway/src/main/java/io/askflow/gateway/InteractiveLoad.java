package io.askflow.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether this gateway is admitting interactive turns: one admitted within the last
 * {@link #HOLD}. While it is, batch jobs release a smaller window (decision 55), so that the
 * interactive turns find the processor free instead of shared with every job's turns. Held for a
 * few seconds past the last admission: interactive traffic comes in conversations, and a window
 * that grew back between two turns would put a full window of job turns ahead of the next one.
 */
final class InteractiveLoad {
    static final Duration HOLD = Duration.ofSeconds(5);

    private final AtomicReference<Instant> last = new AtomicReference<>(Instant.EPOCH);

    void admitted(Instant at) {
        last.accumulateAndGet(at, (a, b) -> a.isAfter(b) ? a : b);
    }

    boolean present(Instant now) {
        return !last.get().plus(HOLD).isBefore(now);
    }
}
