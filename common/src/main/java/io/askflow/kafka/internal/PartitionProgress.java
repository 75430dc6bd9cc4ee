package io.askflow.kafka.internal;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;

/**
 * Which offsets of one partition are still being processed. Records finish in any order; the
 * offset that may be committed is the lowest one still unfinished, or one past the highest seen
 * when none is, so a commit never passes a record whose work is not done.
 *
 * <p>What finished above the committed offset travels with the commit as {@link OffsetMetadata}
 * (the highest offset seen and the offsets still open below it). A new owner of the partition
 * restores it, and skips the records that were finished already instead of doing them twice.
 */
public final class PartitionProgress {
    private final TreeSet<Long> unfinished = new TreeSet<>();
    private final long restoredHighest;
    private final Set<Long> restoredOpen;
    private long highestSeen = -1;
    private long committed = -1;
    private int running;

    public PartitionProgress() {
        this(OffsetMetadata.NONE);
    }

    /** Progress as a previous owner committed it. */
    public PartitionProgress(OffsetMetadata restored) {
        this.restoredHighest = restored.highest();
        this.restoredOpen = Set.copyOf(restored.open());
        if (restored.highest() >= 0) {
            highestSeen = restored.highest();
            unfinished.addAll(restored.open());
        }
    }

    /** True when a previous owner already finished this record (its outputs are committed). */
    public boolean alreadyDone(long offset) {
        return offset <= restoredHighest && !restoredOpen.contains(offset);
    }

    /** A worker took the record. */
    public synchronized void started(long offset) {
        unfinished.add(offset);
        highestSeen = Math.max(highestSeen, offset);
        running++;
    }

    /** The record's outputs are durable: the commit may pass it. */
    public synchronized void finished(long offset) {
        unfinished.remove(offset);
    }

    /**
     * The worker is done with the record, whether its outputs are durable, waiting for the
     * transaction to commit, or dropped for redelivery.
     */
    public synchronized void settled() {
        running--;
        notifyAll();
    }

    /** The offset to commit (Kafka's "next offset to read"), if it moved past the last commit. */
    public synchronized OptionalLong committable() {
        if (highestSeen < 0) {
            return OptionalLong.empty();
        }
        long next = nextToCommit();
        return next > committed ? OptionalLong.of(next) : OptionalLong.empty();
    }

    /** The offset to commit even when it did not move: transactional commits restate every partition. */
    public synchronized OptionalLong position() {
        return highestSeen < 0 ? OptionalLong.empty() : OptionalLong.of(nextToCommit());
    }

    /** What finished above the committable offset, for the commit's metadata. */
    public synchronized OffsetMetadata metadata() {
        long next = nextToCommit();
        if (highestSeen < next) {
            return OffsetMetadata.NONE;
        }
        List<Long> open = unfinished.stream().filter(o -> o > next).toList();
        return new OffsetMetadata(highestSeen, open);
    }

    /**
     * The offset to commit with its metadata, taken together: a record finishing between the two
     * would otherwise be left out of the metadata's open list and skipped by the next owner.
     *
     * @param restate also when the offset did not move (transactional commits restate every partition)
     */
    public synchronized Optional<OffsetAndMetadata> commitPoint(boolean restate) {
        OptionalLong next = restate ? position() : committable();
        if (next.isEmpty()) {
            return Optional.empty();
        }
        long offset = next.getAsLong();
        return Optional.of(new OffsetAndMetadata(offset, metadata().encode(offset)));
    }

    public synchronized void committed(long offset) {
        committed = Math.max(committed, offset);
    }

    public synchronized int runningCount() {
        return running;
    }

    /** Waits until no worker holds a record of this partition, or the timeout passes; true when drained. */
    public synchronized boolean awaitDrained(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (running > 0) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    private long nextToCommit() {
        return unfinished.isEmpty() ? highestSeen + 1 : unfinished.first();
    }
}
