package io.askflow.context;

import com.zaxxer.hikari.HikariDataSource;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.db.Database;
import io.askflow.embedded.Infrastructure;
import io.askflow.knowledge.KnowledgeSchema;
import java.util.Map;

/** The context-builder's tables, and the knowledge tables it uses, on the shared real PostgreSQL, opened once per test JVM. */
final class TestDatabase {
    private static HikariDataSource db;

    private TestDatabase() {
    }

    static synchronized HikariDataSource get() {
        if (db == null) {
            var pg = Infrastructure.shared().postgres();
            db = Database.open(Config.of(Map.of(Settings.DATABASE_URL.name(), pg.jdbcUrl(),
                    Settings.DATABASE_USER.name(), pg.user(), Settings.DATABASE_PASSWORD.name(), pg.password())),
                    "context-builder", ds -> Database.migrate(ds, "context-builder"), KnowledgeSchema::migrate);
        }
        return db;
    }
}
