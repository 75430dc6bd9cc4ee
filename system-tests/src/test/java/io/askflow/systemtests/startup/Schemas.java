package io.askflow.systemtests.startup;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.embedded.PostgresEndpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Fresh databases on one PostgreSQL server, and what a start-up left in them. */
final class Schemas {
    private static final String CATALOGUE = """
            SELECT 'relation ' || relname || ' ' || relkind::text FROM pg_class WHERE relnamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
                   || ' ' || coalesce(column_default, '')
              FROM information_schema.columns WHERE table_schema = 'public'
            UNION ALL
            SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
            UNION ALL
            SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
              FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            ORDER BY 1
            """;

    private final PostgresEndpoint server;
    private int created;

    Schemas(PostgresEndpoint server) {
        this.server = server;
    }

    /** A new, empty database; returns the environment that points a service at it. */
    Map<String, String> fresh(String purpose) throws SQLException {
        String name = "startup_" + purpose + "_" + (++created);
        try (Connection c = connect(server.jdbcUrl()); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        Map<String, String> env = new HashMap<>();
        env.put(Settings.DATABASE_URL.name(), server.jdbcUrl().substring(0, server.jdbcUrl().lastIndexOf('/') + 1) + name);
        env.put(Settings.DATABASE_USER.name(), server.user());
        env.put(Settings.DATABASE_PASSWORD.name(), server.password());
        env.put(Settings.DATABASE_POOL_SIZE.name(), "2");
        return env;
    }

    /**
     * Every table, column, index and constraint in the shared schema, and every owner's history
     * (what ran, with which checksum, and whether it succeeded; not when or how fast).
     */
    List<String> fingerprint(Config config) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(config.get(Settings.DATABASE_URL)); Statement st = c.createStatement()) {
            List<String> histories = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(CATALOGUE)) {
                while (rs.next()) {
                    String line = rs.getString(1);
                    out.add(line);
                    if (line.startsWith("relation flyway_history_") && line.endsWith(" r")) {
                        histories.add(line.split(" ")[1]);
                    }
                }
            }
            for (String history : histories) {
                try (ResultSet rs = st.executeQuery("SELECT version, description, type, script, checksum, success FROM "
                        + history + " ORDER BY installed_rank")) {
                    while (rs.next()) {
                        out.add(history + ": " + rs.getString(1) + " | " + rs.getString(2) + " | " + rs.getString(3)
                                + " | " + rs.getString(4) + " | " + rs.getString(5) + " | " + rs.getBoolean(6));
                    }
                }
            }
        }
        return out;
    }

    private Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, server.user(), server.password());
    }
}
