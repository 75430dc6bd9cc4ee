package io.askflow.kafka;

import io.askflow.config.Config;
import io.askflow.message.AskflowMessage;
import io.askflow.message.TurnEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@link TurnEvent}s to {@code askflow.answer-deltas} with a plain (non-transactional,
 * idempotent) producer, as they happen. Events are best effort: a send that fails is logged and the
 * turn goes on, because the exactly-once answer on {@code askflow.answers} is what finishes a turn.
 *
 * <p><b>seq.</b> A turn's events are numbered by a microsecond clock, made strictly increasing in
 * three ways: within this process every seq is above the previous one; within a turn every seq is
 * above the highest one the turn used before this stage, which travels from stage to stage in the
 * {@link HeaderKeys#TURN_EVENT_SEQ} header of askflow.model-calls and askflow.tool-calls (committed
 * with the record, so a restarted stage numbers on from it too); and an attempt a crashed instance
 * left half done is numbered below its repetition because the repetition starts later, after the
 * crash was noticed (seconds: the session timeout or a restart), which holds while the hosts' clocks
 * agree to within that. Microseconds since 1970 stay below 2^53, so the number is exact in
 * JavaScript too. The seq just below each model call's {@code progress} event is left unused, so
 * that a reader may place a {@code retry} there when it sees a round's model call started twice
 * (a model-caller restart, which the new instance cannot know about).
 */
public final class TurnEventPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TurnEventPublisher.class);
    /** How long a stage waits for its turn's events to be acknowledged before it hands the turn on. */
    private static final Duration SENT_WAIT = Duration.ofSeconds(5);

    /** Where events go: askflow.answer-deltas in production; a test may collect them instead. */
    @FunctionalInterface
    public interface Sink extends AutoCloseable {
        /** Sends asynchronously; the future completes when the event is stored. */
        Future<?> send(String key, TurnEvent event);

        @Override
        default void close() {
        }
    }

    private final Sink sink;
    private final Clock clock;
    private final AtomicLong last = new AtomicLong();

    public TurnEventPublisher(Sink sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    public static TurnEventPublisher create(Config config, String clientId, Clock clock) {
        Producer<String, byte[]> producer = KafkaClients.eventProducer(config, clientId);
        return new TurnEventPublisher(new Sink() {
            @Override
            public Future<?> send(String key, TurnEvent event) {
                return producer.send(new ProducerRecord<>(Topics.ANSWER_DELTAS.name(), key, Topics.ANSWER_DELTAS.encode(event)),
                        (md, error) -> {
                            if (error != null) {
                                LOG.warn("Turn event {} of {} was not published: {}", event.seq(), event.requestId(),
                                        error.toString());
                            }
                        });
            }

            @Override
            public void close() {
                producer.close(KafkaClients.CLOSE_TIMEOUT);
            }
        }, clock);
    }

    /** The events of one stage's work on one record of a turn, numbered on from the record's header. */
    public Scope scope(Incoming<? extends AskflowMessage> in) {
        return new Scope(in.value(), floor(in));
    }

    static long floor(Incoming<?> in) {
        Header h = in.headers() == null ? null : in.headers().lastHeader(HeaderKeys.TURN_EVENT_SEQ);
        if (h == null) {
            return 0;
        }
        try {
            return Long.parseLong(new String(h.value(), StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private long nextSeq(long floor) {
        Instant now = clock.instant();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        long issued = last.updateAndGet(prev -> Math.max(prev + 1, micros));
        if (issued > floor) {
            return issued;
        }
        // Another host's clock is ahead: number on from the turn's floor (and keep this process above it).
        return last.updateAndGet(prev -> Math.max(prev + 1, floor + 1));
    }

    @Override
    public void close() {
        try {
            sink.close();
        } catch (Exception e) {
            LOG.warn("Closing the turn-event producer failed", e);
        }
    }

    public final class Scope {
        private final AskflowMessage turn;
        private long floor;
        private Future<?> lastSend;

        private Scope(AskflowMessage turn, long floor) {
            this.turn = turn;
            this.floor = floor;
        }

        private synchronized TurnEvent emit(TurnEvent.Kind kind, int round, int attempt, boolean keepOneFree,
                UnaryOperator<TurnEvent> fill) {
            long seq = nextSeq(floor);
            if (keepOneFree) {
                seq = nextSeq(seq);
            }
            floor = seq;
            TurnEvent event = fill.apply(TurnEvent.of(turn, seq, kind, round, attempt, clock.instant()));
            send(event);
            return event;
        }

        public TurnEvent delta(int round, int attempt, String text) {
            return emit(TurnEvent.Kind.DELTA, round, attempt, false, e -> e.withText(text));
        }

        public TurnEvent progress(int round, int attempt, TurnEvent.Step step, String tool, String detail) {
            // The seq below a model call's start stays free for the retry a reader may place there.
            return emit(TurnEvent.Kind.PROGRESS, round, attempt, step == TurnEvent.Step.MODEL_CALL,
                    e -> e.withStep(step, tool, detail));
        }

        public TurnEvent retry(int round, int attempt, String reason) {
            return emit(TurnEvent.Kind.RETRY, round, attempt, false, e -> e.withStep(TurnEvent.Step.MODEL_CALL, null, reason));
        }

        public TurnEvent answer(io.askflow.message.Answer answer) {
            return emit(TurnEvent.Kind.ANSWER, answer.toolRounds(), 0, false, e -> TurnEvent.answer(answer, e.seq(), e.round(), e.at()));
        }

        /** The highest seq this turn has used so far. */
        public synchronized long lastSeq() {
            return floor;
        }

        /**
         * The record handing the turn to the next stage, carrying its seq; waits (bounded) until this
         * stage's events are acknowledged, so the next stage's events follow them in the partition too.
         */
        public Outgoing handOn(Outgoing next) {
            awaitSent();
            Map<String, String> headers = new HashMap<>(next.headers());
            headers.put(HeaderKeys.TURN_EVENT_SEQ, Long.toString(lastSeq()));
            return new Outgoing(next.topic(), next.key(), next.value(), headers);
        }

        /** Waits until the events sent so far are acknowledged (bounded; a failure was logged already). */
        public void awaitSent() {
            Future<?> f;
            synchronized (this) {
                f = lastSend;
            }
            if (f == null) {
                return;
            }
            try {
                f.get(SENT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.debug("Turn events of {} not acknowledged: {}", turn.requestId(), e.toString());
            }
        }

        private void send(TurnEvent event) {
            try {
                lastSend = sink.send(turn.conversationId(), event);
            } catch (RuntimeException e) {
                LOG.warn("Turn event {} of {} was not published: {}", event.seq(), turn.requestId(), e.toString());
            }
        }
    }
}
