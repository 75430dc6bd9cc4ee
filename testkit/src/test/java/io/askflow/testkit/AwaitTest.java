package io.askflow.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {

    @Test
    void returnsTheFirstValueThatSatisfiesTheCondition() {
        AtomicInteger polls = new AtomicInteger();
        int seen = Await.until("the third poll", Duration.ofSeconds(10), polls::incrementAndGet, n -> n >= 3);
        assertThat(seen).isEqualTo(3);
        assertThat(polls).hasValue(3);
    }

    @Test
    void aTimeoutFailsNamingWhatWasAwaitedAndTheLastValueSeen() {
        AtomicInteger polls = new AtomicInteger();
        assertThatThrownBy(() -> Await.until("a count of 1000", Duration.ofMillis(100), polls::incrementAndGet, n -> n >= 1000))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("for a count of 1000")
                .hasMessageContaining("last seen: " + polls.get());
    }

    @Test
    void aProbeThatKeepsThrowingFailsWithItsLastFailureAsTheCause() {
        SQLException notYet = new SQLException("relation \"cb_messages\" does not exist");
        assertThatThrownBy(() -> Await.until("the table", Duration.ofMillis(50), () -> {
            throw notYet;
        })).isInstanceOf(AssertionError.class).hasMessageContaining("for the table").hasMessageContaining("the probe threw")
                .hasCause(notYet);
    }

    @Test
    void aProbeThatThrowsAndThenHoldsIsWaitedFor() {
        AtomicInteger polls = new AtomicInteger();
        Await.until("the second poll", Duration.ofSeconds(10), () -> {
            if (polls.incrementAndGet() < 2) {
                throw new IllegalStateException("not yet");
            }
            return true;
        });
        assertThat(polls).hasValue(2);
    }
}
