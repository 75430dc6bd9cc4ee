package io.askflow.kafka;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the runner can be tuned with, validated once.
 *
 * @param maxInFlight records processed concurrently before the runner pauses its partitions; the
 *     true bound is this plus one poll's worth of records (max.poll.records)
 * @param commitInterval how often finished offsets are committed
 * @param shutdownTimeout how long close() and a rebalance wait for records in flight
 */
public record RunnerOptions(String groupId, int maxInFlight, Duration pollTimeout, Duration commitInterval,
        Duration shutdownTimeout) {

    public RunnerOptions {
        Objects.requireNonNull(groupId, "groupId");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
        }
        requirePositive(pollTimeout, "pollTimeout");
        requirePositive(commitInterval, "commitInterval");
        requirePositive(shutdownTimeout, "shutdownTimeout");
    }

    public static RunnerOptions from(Config config, String groupId) {
        return new RunnerOptions(groupId, config.get(Settings.MAX_IN_FLIGHT), Duration.ofMillis(100),
                config.get(Settings.COMMIT_INTERVAL), config.get(Settings.SHUTDOWN_TIMEOUT));
    }

    public RunnerOptions withMaxInFlight(int n) {
        return new RunnerOptions(groupId, n, pollTimeout, commitInterval, shutdownTimeout);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }
}
