package io.askflow.gateway;

import io.askflow.db.Jdbc;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the gateways are admitting interactive turns: one admitted within the last {@link #HOLD}
 * by this gateway or any other. While they are, batch jobs release a smaller window (decision 55),
 * so that the interactive turns find the processor free instead of shared with every job's turns.
 * Held for a few seconds past the last admission: interactive traffic comes in conversations, and a
 * window that grew back between two turns would put a full window of job turns ahead of the next one.
 *
 * <p>Shared through PostgreSQL because every gateway's release rounds top up every job: a gateway
 * that saw no interactive turn would otherwise refill the windows the others shrank. A gateway
 * writes at most every {@link #SHARE_EVERY} and reads at most every {@link #READ_EVERY}, so the cost
 * is a few statements a second, not one per turn.
 */
final class InteractiveLoad {
    private static final Logger LOG = LoggerFactory.getLogger(InteractiveLoad.class);
    static final Duration HOLD = Duration.ofSeconds(5);
    static final Duration SHARE_EVERY = Duration.ofSeconds(1);
    static final Duration READ_EVERY = Duration.ofMillis(250);

    private final DataSource db;
    private final AtomicReference<Instant> last = new AtomicReference<>(Instant.EPOCH);
    private final AtomicReference<Instant> shared = new AtomicReference<>(Instant.EPOCH);
    private volatile Instant read = Instant.EPOCH;
    private volatile boolean othersPresent;

    InteractiveLoad(DataSource db) {
        this.db = db;
    }

    /**
     * An interactive turn was admitted {@code at}. A failed write is logged, not thrown: the turn is
     * admitted either way, and the next admission a second later writes again.
     */
    void admitted(Instant at) {
        last.accumulateAndGet(at, (a, b) -> a.isAfter(b) ? a : b);
        Instant before = shared.get();
        if (at.isBefore(before.plus(SHARE_EVERY)) || !shared.compareAndSet(before, at)) {
            return; // shared within the last second, or another admission is writing it now
        }
        try {
            Jdbc.update(db, "UPDATE gateway_interactive_load SET last_admitted = now()");
        } catch (SQLException e) {
            shared.compareAndSet(at, before);
            LOG.warn("Could not share that this gateway admits interactive turns; the next admission tries again: {}",
                    e.getMessage());
        }
    }

    /** Whether an interactive turn was admitted within {@link #HOLD} of {@code now}, here or by another gateway. */
    boolean present(Instant now) throws SQLException {
        if (!last.get().plus(HOLD).isBefore(now)) {
            return true;
        }
        if (now.isBefore(read.plus(READ_EVERY))) {
            return othersPresent;
        }
        othersPresent = Jdbc.queryFirst(db,
                "SELECT last_admitted > now() - make_interval(secs => ?) FROM gateway_interactive_load",
                rs -> rs.getBoolean(1), (int) HOLD.toSeconds()).orElse(false);
        read = now;
        return othersPresent;
    }
}
