package io.askflow.kafka;

import java.util.function.IntSupplier;

/**
 * What the runner reports about itself, for monitoring: a seam with a no-op default, so the runner
 * depends on no metrics library and a test runner reports nothing. Called from the poll thread and
 * from workers; implementations must be thread-safe and must not throw.
 */
public interface RunnerMetrics {
    RunnerMetrics NONE = new RunnerMetrics() {
    };

    /** The poll loop started; {@code inFlight} reads the records handed to workers and not yet finished. */
    default void loopStarted(IntSupplier inFlight) {
    }

    /** The poll loop ended (the runner closed, or something ended the loop). */
    default void loopStopped() {
    }

    /** The group assigned partitions to this member (possibly none): it has joined. */
    default void assigned(int partitions) {
    }

    /** The member lost its partitions without revoking them (e.g. a session timeout): it must join again. */
    default void lost() {
    }

    /** A record of {@code topic} was handled; {@code outcome} is ok, failed (answered by its failure handler) or dead_letter. */
    default void handled(String topic, String outcome, long nanos) {
    }

    /**
     * A transaction with the outputs of {@code records} finished records was committed; the commit
     * (offsets and the broker's end of the transaction) took {@code nanos}, a time in which the
     * runner's workers could not publish and its poll thread did not poll.
     */
    default void committed(int records, long nanos) {
    }

    /** The open transaction was aborted (a rewind): its records will be processed again. */
    default void aborted() {
    }
}
