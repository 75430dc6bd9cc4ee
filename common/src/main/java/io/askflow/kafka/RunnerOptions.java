package io.askflow.kafka;

import io.askflow.config.Config;
import io.askflow.config.ConfigException;
import io.askflow.config.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the runner can be tuned with, validated once.
 *
 * @param maxInFlight records processed concurrently before the runner pauses its partitions; the
 *     true bound is this plus one poll's worth of records (max.poll.records)
 * @param commitInterval how often finished offsets are committed
 * @param shutdownTimeout how long close() and a revocation wait for records in flight (the drain),
 *     at most {@link #MAX_DRAIN}
 * @param metrics what the runner reports for monitoring ({@link RunnerMetrics#NONE}: nothing)
 * @param maxInFlightBytes bytes of records (key and value as stored) processed concurrently before
 *     the runner pauses, whichever of the two limits comes first; the true bound is this plus one
 *     poll's worth of records
 */
public record RunnerOptions(String groupId, int maxInFlight, Duration pollTimeout, Duration commitInterval,
        Duration shutdownTimeout, RunnerMetrics metrics, long maxInFlightBytes) {

    public RunnerOptions(String groupId, int maxInFlight, Duration pollTimeout, Duration commitInterval,
            Duration shutdownTimeout) {
        this(groupId, maxInFlight, pollTimeout, commitInterval, shutdownTimeout, RunnerMetrics.NONE);
    }

    /** No bound on the bytes in flight. */
    public RunnerOptions(String groupId, int maxInFlight, Duration pollTimeout, Duration commitInterval,
            Duration shutdownTimeout, RunnerMetrics metrics) {
        this(groupId, maxInFlight, pollTimeout, commitInterval, shutdownTimeout, metrics, Long.MAX_VALUE);
    }

    /**
     * The transaction timeout of the exactly-once runner's producers
     * ({@link KafkaClients#transactionalProducer}): how long an instance that dies and never
     * returns can hold back read_committed readers of what it wrote.
     */
    public static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(15);

    /**
     * Left between the end of a drain and the transaction timeout, for the commit after the drain
     * (the poll thread is inside the drain until then; a broker slow to answer must not push the
     * open transaction past its timeout, which would abort the whole instance's finished work).
     */
    static final Duration DRAIN_MARGIN = Duration.ofSeconds(5);

    /**
     * The longest drain: it ends before the transaction timeout, with margin, and so also far
     * below the consumer's rebalance timeout (max.poll.interval.ms, 300 s), past which the group
     * would expel a member still draining in its revocation callback.
     */
    public static final Duration MAX_DRAIN = TRANSACTION_TIMEOUT.minus(DRAIN_MARGIN);

    public RunnerOptions {
        Objects.requireNonNull(groupId, "groupId");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
        }
        if (maxInFlightBytes < 1) {
            throw new IllegalArgumentException("maxInFlightBytes must be at least 1, was " + maxInFlightBytes);
        }
        metrics = metrics == null ? RunnerMetrics.NONE : metrics;
        requirePositive(pollTimeout, "pollTimeout");
        requirePositive(commitInterval, "commitInterval");
        requirePositive(shutdownTimeout, "shutdownTimeout");
        if (shutdownTimeout.compareTo(MAX_DRAIN) > 0) {
            throw new IllegalArgumentException("shutdownTimeout must be at most " + MAX_DRAIN
                    + " (the transaction timeout, " + TRANSACTION_TIMEOUT + ", less " + DRAIN_MARGIN + "), was " + shutdownTimeout);
        }
    }

    public static RunnerOptions from(Config config, String groupId) {
        Duration drain = config.get(Settings.SHUTDOWN_TIMEOUT);
        if (drain.compareTo(MAX_DRAIN) > 0 || drain.isNegative() || drain.isZero()) {
            throw new ConfigException("Invalid value " + drain + " for " + Settings.SHUTDOWN_TIMEOUT.name()
                    + ": must be positive and at most " + MAX_DRAIN + ", so that a drain ends before the transaction timeout ("
                    + TRANSACTION_TIMEOUT + ")");
        }
        return new RunnerOptions(groupId, config.get(Settings.MAX_IN_FLIGHT), Duration.ofMillis(100),
                config.get(Settings.COMMIT_INTERVAL), drain, RunnerMetrics.NONE, config.get(Settings.MAX_IN_FLIGHT_BYTES));
    }

    public RunnerOptions withMaxInFlight(int n) {
        return new RunnerOptions(groupId, n, pollTimeout, commitInterval, shutdownTimeout, metrics, maxInFlightBytes);
    }

    public RunnerOptions withMaxInFlightBytes(long bytes) {
        return new RunnerOptions(groupId, maxInFlight, pollTimeout, commitInterval, shutdownTimeout, metrics, bytes);
    }

    public RunnerOptions withMetrics(RunnerMetrics m) {
        return new RunnerOptions(groupId, maxInFlight, pollTimeout, commitInterval, shutdownTimeout, m, maxInFlightBytes);
    }

    /** Whether work in flight has reached a limit: the runner then pauses its partitions. */
    boolean full(int records, long bytes) {
        return records >= maxInFlight || bytes >= maxInFlightBytes;
    }

    /** Whether a paused runner may resume: at half of both limits, so it does not flap at the edge. */
    boolean roomAgain(int records, long bytes) {
        return records <= maxInFlight / 2 && bytes <= maxInFlightBytes / 2;
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }
}
