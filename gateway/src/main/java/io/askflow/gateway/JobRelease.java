package io.askflow.gateway;

import io.askflow.db.Jdbc;
import io.askflow.message.Turn;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts batch jobs' turns into {@code askflow.turns} a window at a time (decision 50): at most
 * {@code window} turns of a job in flight (released, not yet answered), topped up as the job's
 * answers are counted, every running job in turn, so a second job, or an interactive turn, does not
 * wait behind the whole backlog of the first in Kafka's first-in-first-out partitions. The backlog
 * waits in PostgreSQL as queued job items.
 *
 * <p>A release commits the items' move to in flight together with their turns' hand-over to the
 * outbox, and publishes after: a gateway killed in between leaves turns the sweeper publishes, never
 * a turn released twice; the job's row lock keeps two releases (two gateways) from both filling one
 * window. Jobs a dead gateway left queued are released by any gateway's next round.
 */
final class JobRelease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobRelease.class);
    /** A round without a nudge: for jobs another gateway created or whose answers another counted. */
    private static final Duration EVERY = Duration.ofSeconds(1);
    /** After a nudge, so that one round tops up for the answers of a few milliseconds instead of each alone. */
    private static final Duration GATHER = Duration.ofMillis(10);

    private final DataSource db;
    private final Submissions submissions;
    private final Publishing publishing;
    private final Clock clock;
    private final int window;
    private final int interactiveWindow;
    private final InteractiveLoad load;
    private final Duration deadline;
    private final Semaphore nudged = new Semaphore(0);
    private final Thread releaser;
    private volatile boolean closed;

    /**
     * @param interactiveWindow each job's window while {@code load} says interactive turns are being
     *     admitted (at most {@code window})
     * @param deadline of each released turn, counted from its release, not from the job's creation
     */
    JobRelease(DataSource db, Submissions submissions, Publishing publishing, Clock clock, int window,
            int interactiveWindow, InteractiveLoad load, Duration deadline) {
        if (window < 1) {
            throw new IllegalArgumentException("ASKFLOW_JOB_WINDOW must be at least 1, not " + window);
        }
        if (interactiveWindow < 1) {
            throw new IllegalArgumentException("ASKFLOW_JOB_WINDOW_INTERACTIVE must be at least 1, not " + interactiveWindow);
        }
        this.db = db;
        this.submissions = submissions;
        this.publishing = publishing;
        this.clock = clock;
        this.window = window;
        this.interactiveWindow = Math.min(interactiveWindow, window); // a smaller window is not grown
        this.load = load;
        this.deadline = deadline;
        this.releaser = Thread.ofVirtual().name("gateway-job-release").unstarted(this::loop);
    }

    JobRelease start() {
        releaser.start();
        return this;
    }

    /** A job was created or one of its answers counted: a round soon. */
    void nudge() {
        if (nudged.availablePermits() == 0) {
            nudged.release();
        }
    }

    /** One round over the running jobs, oldest first; returns how many turns it released. */
    int releaseAll() throws SQLException, InterruptedException {
        int released = 0;
        for (String jobId : Jdbc.query(db, """
                SELECT j.id FROM gateway_jobs j
                WHERE EXISTS (SELECT 1 FROM gateway_job_items i WHERE i.job_id = j.id AND i.status = 'queued')
                ORDER BY j.created_at""", rs -> rs.getString(1))) {
            List<Turn> turns = claim(jobId);
            if (!turns.isEmpty()) {
                submissions.published(publishing.turns(turns));
                released += turns.size();
            }
        }
        return released;
    }

    /**
     * The committed half of a release: moves up to the job's free window of queued items to in
     * flight and hands their turns to the outbox, in one transaction. Returns the turns to publish.
     */
    List<Turn> claim(String jobId) throws SQLException {
        Instant now = clock.instant();
        // Shrinking, released turns are not called back: the job releases nothing until its answers bring it under.
        int window = load.present(now) ? interactiveWindow : this.window;
        return Jdbc.inTransaction(db, c -> {
            Optional<String> tenantId = Jdbc.queryFirst(c, "SELECT tenant_id FROM gateway_jobs WHERE id = ? FOR UPDATE",
                    rs -> rs.getString(1), jobId);
            if (tenantId.isEmpty()) {
                return List.of();
            }
            int inFlight = Jdbc.queryFirst(c, "SELECT count(*) FROM gateway_job_items WHERE job_id = ? AND status = 'pending'",
                    rs -> rs.getInt(1), jobId).orElseThrow();
            if (inFlight >= window) {
                return List.of();
            }
            List<String> ids = Jdbc.query(c, """
                    UPDATE gateway_job_items SET status = 'pending', updated_at = now() WHERE request_id IN (
                        SELECT request_id FROM gateway_job_items WHERE job_id = ? AND status = 'queued'
                        ORDER BY position LIMIT ?)
                    RETURNING request_id""", rs -> rs.getString(1), jobId, window - inFlight);
            List<Turn> turns = Submissions.release(c, tenantId.get(), ids, t -> restamp(t, now), now);
            if (turns.size() < ids.size()) {
                // A deletion erased these documents' turns while they waited: nothing will answer them.
                Set<String> gone = new HashSet<>(ids);
                turns.forEach(t -> gone.remove(t.requestId()));
                Jdbc.update(c, "UPDATE gateway_job_items SET status = 'failed', updated_at = now() WHERE request_id = ANY (?)",
                        Jdbc.textArray(gone));
                LOG.warn("{} turn(s) of job {} were erased before their release; counted as failed", gone.size(), jobId);
            }
            return turns;
        });
    }

    private Turn restamp(Turn held, Instant now) {
        return held.toBuilder().envelope(held.envelope().toBuilder().deadline(now.plus(deadline)).build()).build();
    }

    private void loop() {
        while (!closed) {
            try {
                if (nudged.tryAcquire(EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
                    Thread.sleep(GATHER);
                    nudged.drainPermits();
                }
                releaseAll();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.warn("Releasing job turns failed; retrying in {}", EVERY, e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        releaser.interrupt();
    }
}
