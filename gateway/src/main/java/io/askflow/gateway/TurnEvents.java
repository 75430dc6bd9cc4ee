package io.askflow.gateway;

import io.askflow.kafka.Topics;
import io.askflow.message.Answer;
import io.askflow.message.TurnEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's feed of turn events: every instance reads every partition of
 * {@code askflow.answer-deltas} (assigned, no consumer group, read_uncommitted) into a bounded
 * in-memory log per turn, so any instance can replay and follow any turn. A follower gets the
 * turn's events after a given seq in seq order, and last an {@code answer} event made from the
 * exactly-once answer in the {@link AnswerBook}: the text a reader ends with is always the committed
 * one, even when an attempt whose text streamed was aborted and repeated.
 *
 * <p>When a round's model call starts a second time without a {@code retry} before it (the
 * model-caller was restarted mid-call and its successor cannot know), the feed inserts the
 * {@code retry} itself, at the seq the publisher left free below the new start, so every instance
 * shows the same events under the same seqs.
 *
 * <p>The log is kept in seq order. Events reach it in that order (each stage waits for its events to
 * be acknowledged before it hands the turn on); one that came late anyway is placed by its seq for
 * later replays, but a live follower already past it does not get it, because a stream never goes
 * back. The committed answer at the end is whole either way.
 */
public final class TurnEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TurnEvents.class);
    /** After the committed answer is found without an answer event, how long late events may still come. */
    private static final Duration ANSWER_GRACE = Duration.ofMillis(500);
    private static final Duration ANSWER_RECHECK = Duration.ofSeconds(1);
    private static final Duration IDLE_POLL = Duration.ofMillis(100);
    private static final Duration PARTITION_RECHECK = Duration.ofSeconds(30);

    /**
     * Receives a turn's events, in seq order, from one thread per subscription (it may block, e.g. on
     * a socket). The last call is the {@code answer} event, with the committed answer; {@code answer}
     * is null for every other event. Throwing ends the subscription.
     */
    @FunctionalInterface
    public interface Listener {
        void on(TurnEvent event, Answer answer) throws Exception;
    }

    /** A follower's handle. */
    public interface Subscription extends AutoCloseable {
        /** Completes after the answer event was delivered, or exceptionally when the listener threw. */
        CompletableFuture<Void> done();

        /** Stops delivering; idempotent. */
        @Override
        void close();
    }

    /** Bounds of the in-memory log. */
    public record Limits(Duration keep, int maxTurns, int maxEventsPerTurn) {
    }

    private final Consumer<String, byte[]> consumer;
    private final AnswerBook answers;
    private final Limits limits;
    private final Clock clock;
    private final Map<String, TurnLog> turns = new LinkedHashMap<>(16, 0.75f, true);
    private final Thread feed;
    private volatile boolean running = true;
    private volatile boolean caughtUp;

    TurnEvents(Consumer<String, byte[]> consumer, AnswerBook answers, Limits limits, Clock clock) {
        this.consumer = consumer;
        this.answers = answers;
        this.limits = limits;
        this.clock = clock;
        this.feed = Thread.ofPlatform().name("turn-events-feed").daemon().unstarted(this::readLoop);
    }

    TurnEvents start() {
        feed.start();
        return this;
    }

    /**
     * Follows the tenant's turn {@code requestId}: its events with a seq above {@code afterSeq}
     * (0 for all), then live ones, then the answer. The caller checks that the request is the
     * tenant's; events are kept per tenant, so another tenant's turn of the same id is never seen.
     */
    public Subscription follow(String tenantId, String requestId, long afterSeq, Listener listener) {
        Follower f = new Follower(tenantId, requestId, afterSeq, listener);
        synchronized (this) {
            TurnLog log = turns.computeIfAbsent(key(tenantId, requestId), k -> new TurnLog());
            log.touched = clock.millis();
            if (!log.overflowed) {
                log.events.stream().filter(e -> e.seq() > afterSeq).forEach(f.queue::add);
            }
            log.followers.add(f);
            f.log = log;
        }
        f.thread = Thread.ofVirtual().name("turn-events-" + requestId).start(f::run);
        return f;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            feed.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Follower> all = new ArrayList<>();
        synchronized (this) {
            turns.values().forEach(t -> all.addAll(t.followers));
        }
        all.forEach(Follower::close);
    }

    // --- the feed -----------------------------------------------------------------------------

    private void readLoop() {
        try {
            Map<TopicPartition, Long> ends = assign(List.of());
            long nextRecheck = System.nanoTime() + PARTITION_RECHECK.toNanos();
            while (running) {
                if (consumer.assignment().isEmpty()) {
                    Thread.sleep(IDLE_POLL.toMillis()); // the topic has no partitions yet
                    ends = assign(List.of());
                    continue;
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(IDLE_POLL)) {
                    TurnEvent e;
                    try {
                        e = Topics.ANSWER_DELTAS.decode(r.value());
                    } catch (RuntimeException bad) {
                        LOG.warn("Skipping an unreadable turn event at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                                bad.getMessage());
                        continue;
                    }
                    add(e);
                }
                if (!caughtUp && ends.entrySet().stream().allMatch(x -> consumer.position(x.getKey()) >= x.getValue())) {
                    caughtUp = true;
                }
                if (System.nanoTime() > nextRecheck) {
                    assign(new ArrayList<>(consumer.assignment()));
                    nextRecheck = System.nanoTime() + PARTITION_RECHECK.toNanos();
                    expire();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (WakeupException e) {
            if (running) {
                LOG.error("The turn-event feed was woken unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("The turn-event feed stopped; event streams now end with the answer alone", e);
            caughtUp = true;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Assigns every partition; new ones start where the kept window starts. Returns their end offsets. */
    private Map<TopicPartition, Long> assign(List<TopicPartition> had) {
        List<PartitionInfo> infos = consumer.partitionsFor(Topics.ANSWER_DELTAS.name());
        List<TopicPartition> all = infos == null ? List.of()
                : infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        List<TopicPartition> added = all.stream().filter(p -> !had.contains(p)).toList();
        if (added.isEmpty()) {
            return Map.of();
        }
        consumer.assign(all);
        long since = clock.millis() - limits.keep().toMillis();
        Map<TopicPartition, Long> times = new HashMap<>();
        added.forEach(p -> times.put(p, since));
        Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(times);
        Map<TopicPartition, Long> ends = consumer.endOffsets(added);
        for (TopicPartition p : added) {
            OffsetAndTimestamp at = starts.get(p);
            consumer.seek(p, at == null ? ends.get(p) : at.offset());
        }
        return ends;
    }

    synchronized void add(TurnEvent e) {
        TurnLog log = turns.computeIfAbsent(key(e.tenantId(), e.requestId()), k -> new TurnLog());
        log.touched = clock.millis();
        if (log.overflowed || log.has(e.seq())) {
            return;
        }
        if (log.events.size() >= limits.maxEventsPerTurn()) {
            log.overflowed = true;
            log.events.clear();
            return;
        }
        if (e.kind() == TurnEvent.Kind.PROGRESS && e.step() == TurnEvent.Step.MODEL_CALL && log.restarted(e)
                && !log.has(e.seq() - 1)) {
            log.insert(e.withSeq(e.seq() - 1), TurnEvent.Kind.RETRY);
        }
        log.insert(e, e.kind());
        if (turns.size() > limits.maxTurns()) {
            Iterator<TurnLog> oldest = turns.values().iterator();
            while (turns.size() > limits.maxTurns() && oldest.hasNext()) {
                if (oldest.next().followers.isEmpty()) {
                    oldest.remove();
                }
            }
        }
    }

    private synchronized void expire() {
        long before = clock.millis() - limits.keep().toMillis();
        turns.values().removeIf(t -> t.touched < before && t.followers.isEmpty());
    }

    private synchronized boolean hasEvents(TurnLog log) {
        return !log.events.isEmpty() || log.overflowed;
    }

    private synchronized long lastSeq(TurnLog log) {
        return log.events.isEmpty() ? 0 : log.events.get(log.events.size() - 1).seq();
    }

    private synchronized void remove(Follower f) {
        f.log.followers.remove(f);
    }

    private static String key(String tenantId, String requestId) {
        return tenantId + '\n' + requestId;
    }

    /** One turn's events, sorted by seq; guarded by the feed's lock. */
    private static final class TurnLog {
        final List<TurnEvent> events = new ArrayList<>();
        final List<Follower> followers = new ArrayList<>();
        boolean overflowed;
        long touched;

        boolean has(long seq) {
            return events.stream().anyMatch(x -> x.seq() == seq);
        }

        /** A round's model call started again with no retry since its previous start. */
        boolean restarted(TurnEvent start) {
            for (int i = events.size() - 1; i >= 0; i--) {
                TurnEvent x = events.get(i);
                if (x.round() != start.round() || x.seq() > start.seq()) {
                    continue;
                }
                if (x.kind() == TurnEvent.Kind.RETRY) {
                    return false;
                }
                if (x.kind() == TurnEvent.Kind.PROGRESS && x.step() == TurnEvent.Step.MODEL_CALL) {
                    return true;
                }
            }
            return false;
        }

        void insert(TurnEvent e, TurnEvent.Kind kind) {
            TurnEvent event = kind == e.kind() ? e : new TurnEvent(e.schemaVersion(), e.requestId(), e.tenantId(),
                    e.conversationId(), e.seq(), kind, e.round(), e.attempt(), TurnEvent.Step.MODEL_CALL, null,
                    "the model call was repeated after the model-caller restarted", null, null, e.at());
            int at = events.size();
            while (at > 0 && events.get(at - 1).seq() > event.seq()) {
                at--;
            }
            events.add(at, event);
            followers.forEach(f -> f.queue.add(event));
        }
    }

    private final class Follower implements Subscription {
        final String tenantId;
        final String requestId;
        final long afterSeq;
        final Listener listener;
        final LinkedBlockingQueue<TurnEvent> queue = new LinkedBlockingQueue<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile boolean closed;
        volatile Thread thread;
        TurnLog log;

        Follower(String tenantId, String requestId, long afterSeq, Listener listener) {
            this.tenantId = tenantId;
            this.requestId = requestId;
            this.afterSeq = afterSeq;
            this.listener = listener;
        }

        @Override
        public CompletableFuture<Void> done() {
            return done;
        }

        @Override
        public void close() {
            closed = true;
            Thread t = thread;
            if (t != null && t != Thread.currentThread()) {
                t.interrupt();
            }
            remove(this);
            done.complete(null);
        }

        void run() {
            try {
                deliver();
                done.complete(null);
            } catch (InterruptedException e) {
                done.complete(null);
            } catch (Exception e) {
                done.completeExceptionally(e);
            } finally {
                remove(this);
            }
        }

        private void deliver() throws Exception {
            long delivered = afterSeq;
            TurnEvent answerEvent = null;
            long nextCheck = 0;
            long committedAt = -1;
            while (!closed) {
                // Once the answer event is in, the committed answer is awaited at once (below), not after
                // an idle poll: that wait cost every streamed turn 100 ms at its end.
                TurnEvent e = answerEvent != null ? queue.poll() : queue.poll(IDLE_POLL.toMillis(), TimeUnit.MILLISECONDS);
                if (e != null) {
                    if (e.seq() <= delivered) {
                        continue;
                    }
                    if (e.kind() == TurnEvent.Kind.ANSWER) {
                        answerEvent = e;
                        continue;
                    }
                    if (answerEvent != null && e.seq() > answerEvent.seq()) {
                        answerEvent = null; // that answer's attempt was aborted and is being repeated
                    }
                    listener.on(e, null);
                    delivered = e.seq();
                    continue;
                }
                long now = System.nanoTime();
                if (answerEvent == null && now < nextCheck) {
                    continue;
                }
                nextCheck = now + ANSWER_RECHECK.toNanos();
                Optional<Answer> committed = answerEvent != null
                        ? answers.await(tenantId, requestId, IDLE_POLL, a -> !AnswerBook.isRejection(a))
                        : answers.find(tenantId, requestId).filter(a -> !AnswerBook.isRejection(a));
                if (committed.isEmpty()) {
                    continue;
                }
                long seq;
                if (answerEvent != null) {
                    seq = answerEvent.seq();
                } else if (!hasEvents(log) && caughtUp) {
                    seq = delivered + 1; // older than the kept window: the answer alone
                } else {
                    if (committedAt < 0) {
                        committedAt = now;
                    }
                    if (now - committedAt < ANSWER_GRACE.toNanos()) {
                        nextCheck = now + IDLE_POLL.toNanos();
                        continue; // the turn's last events may still be on their way
                    }
                    seq = Math.max(lastSeq(log), delivered) + 1;
                }
                if (seq > afterSeq) {
                    Answer a = committed.get();
                    listener.on(TurnEvent.answer(a, seq, a.toolRounds(), a.createdAt()), a);
                }
                return;
            }
        }
    }
}
