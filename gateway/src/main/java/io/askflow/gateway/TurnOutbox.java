package io.askflow.gateway;

import io.askflow.message.Turn;
import java.time.Duration;
import java.util.List;
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
        List<Turn> done = publishing.turns(pending);
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
