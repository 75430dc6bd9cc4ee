package io.askflow.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The backoff's delays, seen through a sleeper that only writes them down. */
class BackoffTest {
    private final List<Duration> slept = new CopyOnWriteArrayList<>();
    private final Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), 2, slept::add);

    @Test
    void delaysGrowByTheMultiplierUpToTheMaximumUntilAnAttemptSucceeds() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        String result = backoff.retry(() -> {
            if (attempts.incrementAndGet() < 9) {
                throw new IOException("down");
            }
            return "up";
        }, (e, n, delay) -> delay);
        assertThat(result).isEqualTo("up");
        assertThat(slept).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800),
                Duration.ofMillis(1_600), Duration.ofMillis(3_200), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(5));
    }

    @Test
    void theDecisionEndsTheRetriesByThrowingAndMayShortenAWait() {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> backoff.retry(() -> {
            throw new IOException("down");
        }, (e, attempts, delay) -> {
            seen.add(attempts);
            if (attempts == 3) {
                throw new IllegalStateException("gave up after " + attempts, e);
            }
            return attempts == 2 ? Duration.ofMillis(50) : delay; // e.g. a deadline closer than the delay
        })).isInstanceOf(IllegalStateException.class).hasMessage("gave up after 3").hasCauseInstanceOf(IOException.class);
        assertThat(seen).containsExactly(1, 2, 3);
        assertThat(slept).containsExactly(Duration.ofMillis(200), Duration.ofMillis(50));
    }

    @Test
    void anInterruptWhileWaitingEndsTheRetries() {
        AtomicInteger attempts = new AtomicInteger();
        Backoff interrupted = backoff.withSleeper(d -> {
            throw new InterruptedException("stopping");
        });
        assertThatThrownBy(() -> interrupted.retry(() -> {
            attempts.incrementAndGet();
            throw new IOException("down");
        }, (e, n, delay) -> delay)).isInstanceOf(InterruptedException.class);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void aBackoffThatCouldNotWaitIsRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 2, slept::add))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, slept::add))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theEdgesOfAValidBackoffAreAccepted() {
        Backoff flat = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 1, slept::add);
        assertThat(flat.after(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 0.99, slept::add))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofMillis(-1), Duration.ofSeconds(2), 2, slept::add))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void doublingDoublesUpToItsMaximum() {
        Backoff doubling = Backoff.doubling(Duration.ofMillis(100), Duration.ofMillis(300));
        assertThat(doubling.after(Duration.ofMillis(100))).isEqualTo(Duration.ofMillis(200));
        assertThat(doubling.after(Duration.ofMillis(200))).isEqualTo(Duration.ofMillis(300));
        assertThat(doubling.after(Duration.ofMillis(149))).isEqualTo(Duration.ofMillis(298));
    }
}
