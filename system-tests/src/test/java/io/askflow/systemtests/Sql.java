package io.askflow.systemtests;

import io.askflow.embedded.Infrastructure;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/** Reads and changes the shared database directly, as an operator (or a failing disk) would. */
final class Sql {
    private Sql() {
    }

    static Connection connect() throws Exception {
        var pg = Infrastructure.shared().postgres();
        return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
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
