package io.askflow.knowledge;

import io.askflow.db.Database;
import javax.sql.DataSource;

/**
 * Brings the knowledge tables up to date. They have their own history, like each service's tables,
 * and are migrated the same way ({@link Database#migrate}), so whichever service starts first
 * creates them and the others find them current.
 */
public final class KnowledgeSchema {
    private KnowledgeSchema() {
    }

    public static void migrate(DataSource db) {
        Database.migrate(db, "knowledge");
    }
}
