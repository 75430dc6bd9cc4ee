package io.askflow.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.embedded.Infrastructure;
import io.askflow.kafka.internal.Transience;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link Jdbc} on the real (embedded) PostgreSQL. */
class JdbcTest {
    private static final String TABLE = "jdbc_test_" + UUID.randomUUID().toString().replace("-", "");
    private static HikariDataSource db;

    @BeforeAll
    static void open() throws SQLException {
        var pg = Infrastructure.shared().postgres();
        // One connection: every call gets the connection the previous one returned.
        db = Database.pool(Config.of(Map.of(Settings.DATABASE_URL.name(), pg.jdbcUrl(),
                Settings.DATABASE_USER.name(), pg.user(), Settings.DATABASE_PASSWORD.name(), pg.password(),
                Settings.DATABASE_POOL_SIZE.name(), "1")), "jdbc-test");
        Jdbc.update(db, "CREATE TABLE " + TABLE + " (id text PRIMARY KEY, n bigint, i int, at timestamptz, u uuid, "
                + "doc jsonb, tags text[])");
    }

    @AfterAll
    static void close() throws SQLException {
        Jdbc.update(db, "DROP TABLE " + TABLE);
        db.close();
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    private static boolean stored(String id) throws SQLException {
        return Jdbc.exists(db, "SELECT 1 FROM " + TABLE + " WHERE id = ?", id);
    }

    @Test
    void aTransactionThatReturnsIsCommittedAndGivesItsResult() throws SQLException {
        String a = id();
        String b = id();
        int touched = Jdbc.inTransaction(db, c -> Jdbc.update(c, "INSERT INTO " + TABLE + " (id) VALUES (?)", a)
                + Jdbc.update(c, "INSERT INTO " + TABLE + " (id) VALUES (?)", b));
        assertThat(touched).isEqualTo(2);
        assertThat(stored(a)).isTrue();
        assertThat(stored(b)).isTrue();
        assertThat(Jdbc.withConnection(db, Connection::getAutoCommit)).isTrue();
    }

    @Test
    void aTransactionThatThrowsIsRolledBackAndItsFailureThrownAsItWas() throws SQLException {
        String a = id();
        SQLException conflict = new SQLException("conflict", "40001");
        assertThatThrownBy(() -> Jdbc.inTransaction(db, c -> {
            Jdbc.update(c, "INSERT INTO " + TABLE + " (id) VALUES (?)", a);
            throw conflict;
        })).isSameAs(conflict);
        assertThat(conflict.getSuppressed()).isEmpty();
        assertThat(stored(a)).isFalse();
        assertThat(Jdbc.withConnection(db, Connection::getAutoCommit)).isTrue();

        String b = id();
        assertThatThrownBy(() -> Jdbc.inTransaction(db, c -> {
            Jdbc.update(c, "INSERT INTO " + TABLE + " (id) VALUES (?)", b);
            throw new IllegalStateException("a bug");
        })).isInstanceOf(IllegalStateException.class).hasMessage("a bug");
        assertThat(stored(b)).isFalse();
    }

    @Test
    void aUniqueViolationKeepsItsSqlState() throws SQLException {
        String a = id();
        Jdbc.update(db, "INSERT INTO " + TABLE + " (id) VALUES (?)", a);
        assertThatThrownBy(() -> Jdbc.inTransaction(db, c -> Jdbc.update(c, "INSERT INTO " + TABLE + " (id) VALUES (?)", a)))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23505"));
    }

    /**
     * A connection PostgreSQL cuts off mid-transaction (as on a restart): the rollback and the
     * autocommit reset fail too, with "connection has been closed" and no word of anything transient;
     * the failure thrown is still the server's, which the runner retries.
     */
    @Test
    void aConnectionCutOffKeepsTheTransientFailureAndAddsTheRollbacksAsSuppressed() throws SQLException {
        String a = id();
        Throwable thrown = null;
        try {
            Jdbc.inTransaction(db, c -> {
                Jdbc.update(c, "INSERT INTO " + TABLE + " (id) VALUES (?)", a);
                // The pool's only connection is this one: end it from a connection of its own.
                long pid = Jdbc.queryFirst(c, "SELECT pg_backend_pid()", rs -> rs.getLong(1)).orElseThrow();
                var pg = Infrastructure.shared().postgres();
                try (Connection other = java.sql.DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
                    Jdbc.execute(other, "SELECT pg_terminate_backend(?::int)", pid);
                }
                return Jdbc.update(c, "INSERT INTO " + TABLE + " (id) VALUES (?)", id());
            });
        } catch (SQLException e) {
            thrown = e;
        }
        assertThat(thrown).isNotNull();
        assertThat(Transience.isTransient(thrown)).as("%s", thrown).isTrue();
        assertThat(Arrays.stream(thrown.getSuppressed()).map(Throwable::getMessage).toList())
                .as("the rollback's and the reset's failures").isNotEmpty();
        assertThat(stored(a)).isFalse();
    }

    @Test
    void aTransactionInsideATransactionIsRefused() throws SQLException {
        String a = id();
        assertThatThrownBy(() -> Jdbc.inTransaction(db, c -> {
            Jdbc.update(c, "INSERT INTO " + TABLE + " (id) VALUES (?)", a);
            return Jdbc.inTransaction(db, inner -> 1);
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("transaction inside a transaction");
        assertThat(stored(a)).isFalse();
        String after = Jdbc.inTransaction(db, c -> "after");
        assertThat(after).as("the refusal leaves the thread usable").isEqualTo("after");
    }

    @Test
    void parametersBindByTheirTypeAndRowsReadInOrder() throws SQLException {
        String a = "a-" + id();
        String b = "b-" + id();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID u = UUID.randomUUID();
        Jdbc.update(db, "INSERT INTO " + TABLE + " (id, n, i, at, u, doc, tags) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?)",
                a, 5_000_000_000L, 7, at, u, "{\"k\": 1}", Jdbc.textArray(List.of("x", "y")));
        Jdbc.update(db, "INSERT INTO " + TABLE + " (id, doc) VALUES (?, ?::jsonb)", b, null);

        record Row(String id, long n, int i, Instant at, UUID u, String doc, List<String> tags) {
        }
        List<Row> rows = Jdbc.query(db, "SELECT id, n, i, at, u, doc::text, tags FROM " + TABLE
                + " WHERE id = ANY (?) ORDER BY id", rs -> new Row(rs.getString(1), rs.getLong(2), rs.getInt(3),
                        rs.getTimestamp(4) == null ? null : rs.getTimestamp(4).toInstant(), (UUID) rs.getObject(5),
                        rs.getString(6), rs.getArray(7) == null ? null : List.of((String[]) rs.getArray(7).getArray())),
                Jdbc.textArray(List.of(b, a)));
        assertThat(rows).containsExactly(new Row(a, 5_000_000_000L, 7, at, u, "{\"k\": 1}", List.of("x", "y")),
                new Row(b, 0, 0, null, null, null, null));

        assertThat(Jdbc.queryFirst(db, "SELECT i FROM " + TABLE + " WHERE id = ?", rs -> rs.getInt(1), a)).contains(7);
        assertThat(Jdbc.queryFirst(db, "SELECT i FROM " + TABLE + " WHERE id = ?", rs -> rs.getInt(1), id())).isEmpty();
        assertThatThrownBy(() -> Jdbc.update(db, "UPDATE " + TABLE + " SET n = ? WHERE id = ?", 1.5, a))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Double");
    }

    @Test
    void aBatchRunsTheStatementOncePerItem() throws SQLException {
        String prefix = "batch-" + id() + "-";
        int[] counts = Jdbc.inTransaction(db, c -> Jdbc.batch(c, "INSERT INTO " + TABLE + " (id, i) VALUES (?, ?)",
                List.of(1, 2, 3), i -> new Object[] {prefix + i, i}));
        assertThat(counts).containsExactly(1, 1, 1);
        assertThat(Jdbc.query(db, "SELECT i FROM " + TABLE + " WHERE id LIKE ? ORDER BY i", rs -> rs.getInt(1), prefix + "%"))
                .containsExactly(1, 2, 3);
        assertThat(Jdbc.queryFirst(db, "SELECT count(*) FROM " + TABLE + " WHERE id LIKE ?", rs -> rs.getLong(1),
                prefix + "%")).isEqualTo(Optional.of(3L));
    }
}
