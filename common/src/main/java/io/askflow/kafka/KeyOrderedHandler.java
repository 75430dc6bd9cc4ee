package io.askflow.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs a route's records that share a key one after another, in offset order, while records with
 * different keys still run concurrently. The runner hands every record to its own virtual thread,
 * so without this two requests of one conversation, produced one after the other, could be
 * processed in either order.
 *
 * <p>The runner dispatches a partition's records in offset order, but their threads may reach the
 * handler in any order. A record therefore waits up to {@code grace} for the offset just below it
 * to enter first (it may never come: a transaction marker, an undecodable record, or the first
 * record after a start occupies or follows an offset that reaches no handler), and then for every
 * earlier record with the same key to finish.
 */
public final class KeyOrderedHandler<T> implements Handler<T> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KeyOrderedHandler.class);
    /** Threads started together reach the handler within microseconds; this only bounds a gap's cost. */
    public static final Duration DEFAULT_GRACE = Duration.ofMillis(20);

    private final Handler<T> delegate;
    private final long graceNanos;
    private final Map<String, Line> lines = new ConcurrentHashMap<>();

    /** The records of one partition that have entered this handler. */
    private static final class Line {
        // A list per offset: after a rewind the old attempt at an offset and its redelivery may overlap,
        // and one finishing must not erase the other's entry.
        final TreeMap<Long, List<String>> pending = new TreeMap<>();
        /** Offsets that entered, recent ones only: enough to tell whether the one below a record came. */
        final java.util.TreeSet<Long> entered = new java.util.TreeSet<>();
    }

    private static final int REMEMBERED_OFFSETS = 10_000;

    public KeyOrderedHandler(Handler<T> delegate, Duration grace) {
        this.delegate = delegate;
        this.graceNanos = grace.toNanos();
    }

    public static <T> Handler<T> of(Handler<T> delegate) {
        return new KeyOrderedHandler<>(delegate, DEFAULT_GRACE);
    }

    @Override
    public List<Outgoing> handle(Incoming<T> in) throws Exception {
        Line line = lines.computeIfAbsent(in.topic() + "-" + in.partition(), k -> new Line());
        String key = in.key() == null ? "" : in.key();
        synchronized (line) {
            // Registered on entry, so a record that arrives later but belongs earlier is seen at once.
            line.pending.computeIfAbsent(in.offset(), o -> new ArrayList<>()).add(key);
            line.entered.add(in.offset());
            if (line.entered.size() > REMEMBERED_OFFSETS) {
                line.entered.pollFirst();
            }
            line.notifyAll();
            long until = System.nanoTime() + graceNanos;
            while (in.offset() > 0 && !line.entered.contains(in.offset() - 1) && System.nanoTime() < until) {
                line.wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
            }
            while (line.pending.headMap(in.offset()).values().stream().anyMatch(keys -> keys.contains(key))) {
                line.wait();
            }
        }
        try {
            return handleRetryingTransientFailures(in);
        } finally {
            synchronized (line) {
                List<String> keys = line.pending.get(in.offset());
                keys.remove(key);
                if (keys.isEmpty()) {
                    line.pending.remove(in.offset());
                }
                line.notifyAll();
            }
        }
    }

    /**
     * Transient failures are retried here, while the record still holds its key: the runner's own
     * retry would run it again only after leaving this handler, and a later record of the same key
     * would overtake it (ChaosTest: a PostgreSQL restart gave a conversation's third turn the first
     * sequence). Interrupted, as at shutdown, it stops and the record is redelivered.
     */
    private List<Outgoing> handleRetryingTransientFailures(Incoming<T> in) throws Exception {
        long backoff = 200;
        while (true) {
            try {
                return delegate.handle(in);
            } catch (Exception e) {
                if (!io.askflow.kafka.internal.Transience.isTransient(e)) {
                    throw e;
                }
                LOG.warn("Transient failure handling {}; retrying in {} ms, holding its key: {}", in.coordinates(), backoff, e.toString());
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }
}
