package io.askflow.knowledge;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Brings the knowledge tables up to date. They have their own Flyway history, like each service's
 * tables, so whichever service starts first creates them and the others find them current.
 */
public final class KnowledgeSchema {
    private KnowledgeSchema() {
    }

    public static void migrate(DataSource db) {
        Flyway.configure()
                .dataSource(db)
                .locations("classpath:db/migration/knowledge")
                .table("flyway_history_knowledge")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load()
                .migrate();
    }
}
