package io.askflow.kafka.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of a key-ordered route, one lane per partition and key: a record starts when the
 * records before it in its lane are done. The poll thread enters records in offset order, so a
 * lane runs in offset order, with no timing involved; lanes run concurrently.
 *
 * <p>Lanes outlive a rewind or a revocation: a record redelivered while its old attempt still runs
 * waits for that attempt, and so does every later record of its key.
 */
public final class KeyLanes {
    private static final Logger LOG = LoggerFactory.getLogger(KeyLanes.class);

    private record Lane(TopicPartition partition, String key) {
    }

    private final Executor executor;
    /** A lane is present while one of its records runs; it holds those waiting behind it. */
    private final Map<Lane, Queue<Runnable>> lanes = new HashMap<>();

    public KeyLanes(Executor executor) {
        this.executor = executor;
    }

    /** Runs {@code work} once every record entered before it with the same partition and key is done. */
    public void enter(TopicPartition partition, String key, Runnable work) {
        Lane lane = new Lane(partition, key);
        synchronized (this) {
            Queue<Runnable> waiting = lanes.get(lane);
            if (waiting != null) {
                waiting.add(work);
                return;
            }
            lanes.put(lane, new ArrayDeque<>());
        }
        executor.execute(() -> drive(lane, work));
    }

    /** Runs the lane's records on one thread until none waits. */
    private void drive(Lane lane, Runnable first) {
        for (Runnable work = first; work != null; work = next(lane)) {
            try {
                work.run();
            } catch (RuntimeException e) {
                // The lane must go on: a record stuck behind a broken one would never be handled.
                LOG.error("Work on {} (key {}) failed", lane.partition(), lane.key(), e);
            }
        }
    }

    private synchronized Runnable next(Lane lane) {
        Queue<Runnable> waiting = lanes.get(lane);
        Runnable next = waiting.poll();
        if (next == null) {
            lanes.remove(lane);
        }
        return next;
    }
}
