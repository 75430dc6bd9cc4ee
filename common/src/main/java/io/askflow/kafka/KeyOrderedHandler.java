package io.askflow.kafka;

import java.time.Duration;
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
 * to arrive first (it may never come: a transaction marker or an undecodable record occupies an
 * offset without reaching any handler), and then for every earlier record with the same key to
 * finish.
 */
public final class KeyOrderedHandler<T> implements Handler<T> {
    /** Threads started together reach the handler within microseconds; this only bounds a gap's cost. */
    public static final Duration DEFAULT_GRACE = Duration.ofMillis(20);

    private final Handler<T> delegate;
    private final long graceNanos;
    private final Map<String, Line> lines = new ConcurrentHashMap<>();

    /** The records of one partition that have entered this handler and not yet finished. */
    private static final class Line {
        final TreeMap<Long, String> pending = new TreeMap<>();
        long highestSeen = -1;
    }

    public KeyOrderedHandler(Handler<T> delegate, Duration grace) {
        this.delegate = delegate;
        this.graceNanos = grace.toNanos();
    }

    public static <T> Handler<T> of(Handler<T> delegate) {
        return new KeyOrderedHandler<>(delegate, DEFAULT_GRACE);
    }

    @Override
    public java.util.List<Outgoing> handle(Incoming<T> in) throws Exception {
        Line line = lines.computeIfAbsent(in.topic() + "-" + in.partition(), k -> new Line());
        String key = in.key() == null ? "" : in.key();
        synchronized (line) {
            long until = System.nanoTime() + graceNanos;
            while (line.highestSeen >= 0 && line.highestSeen < in.offset() - 1 && System.nanoTime() < until) {
                line.wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
            }
            line.pending.put(in.offset(), key);
            line.highestSeen = Math.max(line.highestSeen, in.offset());
            line.notifyAll();
            while (line.pending.headMap(in.offset()).containsValue(key)) {
                line.wait();
            }
        }
        try {
            return delegate.handle(in);
        } finally {
            synchronized (line) {
                line.pending.remove(in.offset());
                line.notifyAll();
            }
        }
    }
}
