package io.askflow.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Hikari pool whose borrowers wait for a connection first come, first served.
 *
 * <p>A runner hands up to {@code ASKFLOW_MAX_IN_FLIGHT} records to workers at once, and each asks
 * the pool for connections. Hikari's own wait is not a queue: a connection coming back goes to
 * whichever borrower asks next, so under a burst of hundreds of borrowers for 16 connections some
 * waited the whole connection timeout (10 s) while later ones got through, failed, and were retried
 * with backoff; the slowest turns of a 2,000-turn burst took 25 s and more (docs/benchmarks.md,
 * Burst). Here borrowers take a fair permit, one per connection, before asking Hikari, so Hikari
 * always has a connection free for them and its timeout only fires when the database is away.
 * The permit wait is bounded too ({@link #QUEUE_TIMEOUT}), so a bug that held connections forever
 * would still fail loudly instead of hanging.
 */
final class QueuedPool extends HikariDataSource {
    /** Longer than any burst takes to drain through the pool; a wait this long means something is stuck. */
    static final Duration QUEUE_TIMEOUT = Duration.ofSeconds(60);

    private final Semaphore permits;

    QueuedPool(HikariConfig config) {
        super(config);
        this.permits = new Semaphore(config.getMaximumPoolSize(), true);
    }

    @Override
    public Connection getConnection() throws SQLException {
        try {
            if (!permits.tryAcquire(QUEUE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SQLTransientConnectionException(getPoolName() + ": all " + getMaximumPoolSize()
                        + " connections stayed busy for " + QUEUE_TIMEOUT + " (" + permits.getQueueLength() + " waiting)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException(getPoolName() + ": interrupted while waiting for a connection", e);
        }
        try {
            return releasingOnClose(super.getConnection());
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    /** Connections that may be borrowed without waiting; for tests. */
    int freePermits() {
        return permits.availablePermits();
    }

    /** Borrowers waiting for a permit; for tests. */
    int waiting() {
        return permits.getQueueLength();
    }

    /** The connection, whose first close() also gives the permit back. */
    private Connection releasingOnClose(Connection connection) {
        AtomicBoolean released = new AtomicBoolean();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        try {
                            connection.close();
                        } finally {
                            if (released.compareAndSet(false, true)) {
                                permits.release();
                            }
                        }
                        return null;
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
