package io.askflow.gateway;

import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Topics;
import io.askflow.message.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes turns that the gateway claimed but never confirmed as published: an HTTP submission or
 * a batch job whose gateway was killed between the claim and the broker's acknowledgement. Without
 * it such a request would be lost, and its conversation's later turns would wait for it forever.
 * A turn published twice is harmless: the context-builder queues a request id once.
 */
final class TurnOutbox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TurnOutbox.class);
    private static final int BATCH = 500;

    private final Submissions submissions;
    private final Publishing publishing;
    private final Duration age;
    private final Duration every;
    private final Thread sweeper;
    private volatile boolean closed;

    /**
     * @param age how long a claim may stay unconfirmed before the sweeper publishes it; longer than
     *     a normal claim-to-acknowledgement time, so live submissions are not doubled needlessly
     */
    TurnOutbox(Submissions submissions, Publishing publishing, Duration age, Duration every) {
        this.submissions = submissions;
        this.publishing = publishing;
        this.age = age;
        this.every = every;
        this.sweeper = Thread.ofVirtual().name("gateway-outbox").unstarted(this::loop);
    }

    TurnOutbox start() {
        sweeper.start();
        return this;
    }

    /** Publishes what is pending now; returns how many turns it published. */
    int sweep() throws Exception {
        List<Turn> pending = submissions.pending(age, BATCH);
        if (pending.isEmpty()) {
            return 0;
        }
        List<Future<RecordMetadata>> acks = publishing.send(
                pending.stream().map(t -> Outgoing.to(Topics.TURNS, t.conversationId(), t)).toList(), Optional.empty());
        // Confirm each turn that made it, so one failing send does not make the whole batch go again.
        List<Turn> done = new ArrayList<>();
        for (int i = 0; i < acks.size(); i++) {
            try {
                acks.get(i).get();
                done.add(pending.get(i));
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.warn("Outbox could not publish turn {}: {}", pending.get(i).requestId(), e.getCause().toString());
            }
        }
        if (!done.isEmpty()) {
            submissions.published(done);
            LOG.warn("Published {} turn(s) whose first publish was never confirmed", done.size());
        }
        return done.size();
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(every);
                sweep();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.warn("Outbox sweep failed; retrying in {}", every, e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        sweeper.interrupt();
    }
}
