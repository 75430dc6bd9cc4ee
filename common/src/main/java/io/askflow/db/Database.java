package io.askflow.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import org.flywaydb.core.Flyway;

/**
 * Opens a service's connection pool and brings its tables up to date. Each service owns its own
 * tables and migrations ({@code db/migration/<service>} on its classpath, with its own history
 * table), so services can share one PostgreSQL database without sharing a schema history.
 */
public final class Database {
    private Database() {
    }

    /** The service's pool with its own tables migrated ({@code db/migration/<service>}). */
    public static HikariDataSource open(Config config, String service) {
        HikariDataSource ds = pool(config, service);
        try {
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration/" + service)
                    .table("flyway_history_" + service.replace('-', '_'))
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return ds;
    }

    /** A pool for a service that owns no tables of its own (it uses a library's, migrated by the library). */
    public static HikariDataSource pool(Config config, String service) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(config.get(Settings.DATABASE_URL));
        hc.setUsername(config.get(Settings.DATABASE_USER));
        config.find(Settings.DATABASE_PASSWORD).ifPresent(hc::setPassword);
        hc.setMaximumPoolSize(config.get(Settings.DATABASE_POOL_SIZE));
        hc.setPoolName("askflow-" + service);
        hc.setConnectionTimeout(10_000);
        return new HikariDataSource(hc);
    }
}
