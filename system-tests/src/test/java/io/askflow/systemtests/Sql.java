package io.askflow.systemtests;

import io.askflow.embedded.Infrastructure;
import io.askflow.embedded.PostgresEndpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

/** Reads and changes the shared database directly, as an operator (or a failing disk) would. */
public final class Sql {
    private Sql() {
    }

    static Connection connect() throws Exception {
        var pg = Infrastructure.shared().postgres();
        return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
    }

    /**
     * A database of its own on the shared PostgreSQL, for a pipeline on a broker of its own: the
     * gateway's outbox publishes every turn in its database that is not yet published, and other
     * tests' turns belong on the other broker.
     */
    public static PostgresEndpoint ownDatabase(String prefix) throws Exception {
        PostgresEndpoint shared = Infrastructure.shared().postgres();
        String name = prefix + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(shared.jdbcUrl(), shared.user(), shared.password());
                var statement = c.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        String url = shared.jdbcUrl().replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
        return new PostgresEndpoint(url, shared.user(), shared.password(), shared.origin());
    }

    /** The first column of the first row of a query whose parameters are all strings. */
    static long count(String sql, String... args) throws Exception {
        try (Connection c = connect(); PreparedStatement q = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                q.setString(i + 1, args[i]);
            }
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static void execute(String sql) throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
