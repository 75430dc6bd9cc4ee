package io.askflow.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.service.Startup;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;

/**
 * Opens a service's connection pool and brings its tables up to date. Each owner of tables (a
 * service, or a library such as knowledge) has its own migrations ({@code db/migration/<owner>}
 * on its classpath) and its own history table, so owners can share one PostgreSQL schema without
 * sharing a schema history.
 */
public final class Database {
    private Database() {
    }

    /** Brings one owner's tables up to date on a pool (see {@link #migrate}). */
    @FunctionalInterface
    public interface Migration {
        void apply(DataSource ds);
    }

    /** The service's pool with its own tables migrated ({@code db/migration/<service>}). */
    public static HikariDataSource open(Config config, String service) {
        return open(config, service, ds -> migrate(ds, service));
    }

    /**
     * The service's pool with the migrations applied in order. While PostgreSQL is down or
     * restarting the whole step is tried again (a migration cut off by a restart left nothing
     * behind, and the failed attempt's pool is closed), up to {@code ASKFLOW_STARTUP_TIMEOUT}.
     */
    public static HikariDataSource open(Config config, String service, Migration... migrations) {
        return Startup.retrying("Opening PostgreSQL at " + config.get(Settings.DATABASE_URL) + " for " + service,
                config.get(Settings.STARTUP_TIMEOUT), () -> {
                    HikariDataSource ds = pool(config, service);
                    try {
                        for (Migration m : migrations) {
                            m.apply(ds);
                        }
                    } catch (RuntimeException e) {
                        ds.close();
                        throw e;
                    }
                    return ds;
                });
    }

    /**
     * Applies the owner's pending migrations ({@code db/migration/<owner>}, history in
     * {@code flyway_history_<owner>}), each all-or-nothing: a process killed at any moment leaves
     * either a migration and its history row, or neither.
     *
     * <p>That needs one connection. By default Flyway on PostgreSQL takes its lock in a transaction
     * on one connection, writes the history row there, and runs the migration in a second
     * transaction on another connection, which commits first: a kill between the two commits left
     * the tables without their history row, and every restart failed on "relation already exists".
     * With Flyway's session lock instead, the migration and its history row share one connection and
     * one transaction (the lock is released when the killed process's connection goes).
     *
     * <p>Baselining at version 0 is only how Flyway accepts a schema that other owners' tables make
     * non-empty: it records that none of this owner's migrations has run. It is true because the
     * history table, created in a transaction of its own, always exists before the first of the
     * owner's objects does.
     */
    public static void migrate(DataSource ds, String owner) {
        FluentConfiguration flyway = Flyway.configure()
                .dataSource(ds)
                .locations("classpath:db/migration/" + owner)
                .table("flyway_history_" + owner.replace('-', '_'))
                .baselineOnMigrate(true)
                .baselineVersion("0");
        flyway.getPluginRegister().getExact(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
        flyway.load().migrate();
    }

    /**
     * Rolls back after {@code failure}. When the connection is gone (PostgreSQL restarted), the
     * rollback fails too, with a bare "Connection is closed" that says nothing transient: it is
     * added to the failure as suppressed, so the failure thrown stays the one that tells the
     * runner to retry the record instead of answering it as failed.
     */
    public static void rollback(Connection c, Exception failure) {
        try {
            c.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    /** A pool, tried once: {@link #open} is the start-up path. */
    public static HikariDataSource pool(Config config, String service) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(config.get(Settings.DATABASE_URL));
        hc.setUsername(config.get(Settings.DATABASE_USER));
        config.find(Settings.DATABASE_PASSWORD).ifPresent(hc::setPassword);
        hc.setMaximumPoolSize(config.get(Settings.DATABASE_POOL_SIZE));
        hc.setPoolName("askflow-" + service);
        hc.setConnectionTimeout(10_000);
        return new QueuedPool(hc);
    }
}
