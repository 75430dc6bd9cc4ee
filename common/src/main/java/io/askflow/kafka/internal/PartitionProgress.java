package io.askflow.kafka.internal;

import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Which offsets of one partition are still being processed. Records finish in any order; the
 * offset that may be committed is the lowest one still unfinished, or one past the highest seen
 * when none is, so a commit never passes a record whose work is not done.
 */
public final class PartitionProgress {
    private final TreeSet<Long> unfinished = new TreeSet<>();
    private long highestSeen = -1;
    private long committed = -1;

    public synchronized void started(long offset) {
        unfinished.add(offset);
        highestSeen = Math.max(highestSeen, offset);
    }

    public synchronized void finished(long offset) {
        unfinished.remove(offset);
        notifyAll();
    }

    /** The offset to commit (Kafka's "next offset to read"), if it moved past the last commit. */
    public synchronized OptionalLong committable() {
        if (highestSeen < 0) {
            return OptionalLong.empty();
        }
        long next = unfinished.isEmpty() ? highestSeen + 1 : unfinished.first();
        return next > committed ? OptionalLong.of(next) : OptionalLong.empty();
    }

    public synchronized void committed(long offset) {
        committed = Math.max(committed, offset);
    }

    public synchronized int unfinishedCount() {
        return unfinished.size();
    }

    /** Waits until nothing is unfinished, or the timeout passes; true when drained. */
    public synchronized boolean awaitDrained(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!unfinished.isEmpty()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }
}
