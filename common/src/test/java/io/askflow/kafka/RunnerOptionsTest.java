package io.askflow.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askflow.config.Config;
import io.askflow.config.ConfigException;
import io.askflow.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The drain is derived from the transaction timeout, and nothing longer is accepted. */
class RunnerOptionsTest {

    @Test
    void theDefaultDrainEndsBeforeTheTransactionTimeout() {
        RunnerOptions options = RunnerOptions.from(Config.of(Map.of()), "g");
        assertThat(options.shutdownTimeout()).isPositive().isLessThanOrEqualTo(RunnerOptions.MAX_DRAIN);
        assertThat(RunnerOptions.MAX_DRAIN.plus(RunnerOptions.DRAIN_MARGIN)).isEqualTo(RunnerOptions.TRANSACTION_TIMEOUT);
        assertThat(RunnerOptions.DRAIN_MARGIN).isPositive();
    }

    @Test
    void aShutdownTimeoutReachingIntoTheTransactionTimeoutIsRefusedAtStartUp() {
        Config config = Config.of(Map.of(Settings.SHUTDOWN_TIMEOUT.name(), "PT30S"));
        assertThatThrownBy(() -> RunnerOptions.from(config, "g"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(Settings.SHUTDOWN_TIMEOUT.name())
                .hasMessageContaining("PT10S");
        Duration tooLong = RunnerOptions.MAX_DRAIN.plusMillis(1);
        assertThatThrownBy(() -> new RunnerOptions("g", 1, Duration.ofMillis(1), Duration.ofMillis(1), tooLong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shutdownTimeout must be at most");
        assertThat(new RunnerOptions("g", 1, Duration.ofMillis(1), Duration.ofMillis(1), RunnerOptions.MAX_DRAIN).shutdownTimeout())
                .isEqualTo(RunnerOptions.MAX_DRAIN);
    }

    @Test
    void everyDurationMustBePositiveAndMetricsDefaultToNone() {
        Duration ms = Duration.ofMillis(1);
        assertThatThrownBy(() -> new RunnerOptions("g", 1, Duration.ZERO, ms, ms))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pollTimeout");
        assertThatThrownBy(() -> new RunnerOptions("g", 1, ms, Duration.ZERO, ms))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("commitInterval");
        assertThatThrownBy(() -> new RunnerOptions("g", 1, ms, ms, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shutdownTimeout");
        assertThatThrownBy(() -> new RunnerOptions("g", 0, ms, ms, ms))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInFlight");
        assertThat(new RunnerOptions("g", 1, ms, ms, ms, null).metrics()).isSameAs(RunnerMetrics.NONE);
    }

    @Test
    void aCopyChangesOnlyWhatItNames() {
        Duration ms = Duration.ofMillis(1);
        RunnerOptions o = new RunnerOptions("g", 3, ms, ms.multipliedBy(2), ms.multipliedBy(3));
        assertThat(o.withMaxInFlight(9)).isEqualTo(new RunnerOptions("g", 9, ms, ms.multipliedBy(2), ms.multipliedBy(3)));
        RunnerMetrics m = new RunnerMetrics() { };
        assertThat(o.withMetrics(m).metrics()).isSameAs(m);
        assertThat(o.withMetrics(m).maxInFlight()).isEqualTo(3);
    }

    @Test
    void eitherLimitPausesAndBothMustFallToHalfToResume() {
        Duration ms = Duration.ofMillis(1);
        RunnerOptions o = new RunnerOptions("g", 10, ms, ms, ms).withMaxInFlightBytes(1_000);
        assertThat(o.full(9, 999)).isFalse();
        assertThat(o.full(10, 0)).isTrue();
        assertThat(o.full(1, 1_000)).isTrue();
        assertThat(o.roomAgain(5, 500)).isTrue();
        assertThat(o.roomAgain(6, 0)).isFalse();
        assertThat(o.roomAgain(0, 501)).isFalse();
        assertThatThrownBy(() -> o.withMaxInFlightBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new RunnerOptions("g", 10, ms, ms, ms).full(9, Long.MAX_VALUE - 1)).as("unbounded unless set").isFalse();
        assertThat(RunnerOptions.from(Config.of(Map.of()), "g").maxInFlightBytes())
                .isEqualTo(64L * 1024 * 1024);
    }
}
