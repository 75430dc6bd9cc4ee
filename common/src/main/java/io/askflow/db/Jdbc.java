package io.askflow.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Statements with positional parameters and transactions, so that a store reads as its SQL: no
 * mapping layer, the SQL stands at the call site and each row is read by the caller's lambda.
 *
 * <p>Parameters bind by their Java type: {@code String}, {@code Long}, {@code Integer},
 * {@code Instant} (a {@code timestamptz}), {@code UUID}, {@link TextArray} (a {@code text[]}), and
 * {@code null}, which binds as a text null, as {@code setString(i, null)} does (so {@code ?::jsonb}
 * with a null stays a null). JSON goes in as its text, cast in the SQL ({@code ?::jsonb}). Anything
 * else is refused rather than guessed at.
 *
 * <p>Failures are the driver's {@link SQLException}s, unwrapped: their SQLStates are what the runner
 * reads to tell a transient failure from a lasting one.
 */
public final class Jdbc {
    /** Set while this thread is inside {@link #inTransaction}. */
    private static final ThreadLocal<Boolean> IN_TRANSACTION = new ThreadLocal<>();

    private Jdbc() {
    }

    /**
     * A {@code text[]} parameter. A {@code String[]} itself is not one: passed alone to a varargs
     * parameter list, Java would spread it into one parameter per element.
     */
    public record TextArray(List<String> values) {
        public TextArray {
            values = Collections.unmodifiableList(new ArrayList<>(values)); // a null element stays a null
        }
    }

    public static TextArray textArray(Collection<String> values) {
        return new TextArray(new ArrayList<>(values));
    }

    /** Work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Reads the current row of a result. */
    @FunctionalInterface
    public interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction on a connection of its own: committed when it returns,
     * rolled back when it throws (through {@link Database#rollback}, so the failure thrown stays the
     * one that says whether it is transient), with autocommit restored either way. Nothing runs in
     * a {@code finally} that could throw over the failure: a {@code setAutoCommit(true)} there once
     * replaced a transient failure with "Connection is closed" (decision 34).
     *
     * <p>Not nestable: a transaction started inside another would take a second connection, which
     * waits for the first one's locks while the first waits for it. Work that belongs to the outer
     * transaction takes its {@link Connection} instead; a nested call throws
     * {@link IllegalStateException}.
     */
    public static <T> T inTransaction(DataSource db, Work<T> work) throws SQLException {
        if (IN_TRANSACTION.get() != null) {
            throw new IllegalStateException("A transaction inside a transaction: pass the outer one's connection instead");
        }
        IN_TRANSACTION.set(Boolean.TRUE);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            T result;
            try {
                result = work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Database.rollback(c, e);
                restoreAutoCommit(c, e);
                throw e;
            }
            restoreAutoCommit(c, null);
            return result;
        } finally {
            IN_TRANSACTION.remove();
        }
    }

    /**
     * Back to autocommit, as the pool hands connections out. A failure here is never the one to
     * report: after a failed transaction it is added to that failure; after a commit the work is done,
     * and the pool resets (or, when it is broken, drops) the connection when it is closed.
     */
    private static void restoreAutoCommit(Connection c, Exception failure) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            }
        }
    }

    /** Runs {@code work} on a connection of its own, in autocommit. */
    public static <T> T withConnection(DataSource db, Work<T> work) throws SQLException {
        try (Connection c = db.getConnection()) {
            return work.run(c);
        }
    }

    /** Runs an INSERT, UPDATE or DELETE; returns the number of rows it touched. */
    public static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement st = prepare(c, sql, params)) {
            return st.executeUpdate();
        }
    }

    /** {@link #update(Connection, String, Object...)} on a connection of its own. */
    public static int update(DataSource db, String sql, Object... params) throws SQLException {
        return withConnection(db, c -> update(c, sql, params));
    }

    /** Runs a statement for its effect alone, such as a {@code SELECT ... FOR UPDATE} that takes a lock. */
    public static void execute(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement st = prepare(c, sql, params)) {
            st.execute();
        }
    }

    /** Every row, in the order the statement returns them. */
    public static <T> List<T> query(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
        try (PreparedStatement st = prepare(c, sql, params); ResultSet rs = st.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(row.read(rs));
            }
            return out;
        }
    }

    /** {@link #query(Connection, String, Row, Object...)} on a connection of its own. */
    public static <T> List<T> query(DataSource db, String sql, Row<T> row, Object... params) throws SQLException {
        return withConnection(db, c -> query(c, sql, row, params));
    }

    /** The first row, if there is one; later rows are not read. */
    public static <T> Optional<T> queryFirst(Connection c, String sql, Row<T> row, Object... params)
            throws SQLException {
        try (PreparedStatement st = prepare(c, sql, params); ResultSet rs = st.executeQuery()) {
            return rs.next() ? Optional.of(row.read(rs)) : Optional.empty();
        }
    }

    /** {@link #queryFirst(Connection, String, Row, Object...)} on a connection of its own. */
    public static <T> Optional<T> queryFirst(DataSource db, String sql, Row<T> row, Object... params)
            throws SQLException {
        return withConnection(db, c -> queryFirst(c, sql, row, params));
    }

    /** Whether the statement returns a row. */
    public static boolean exists(Connection c, String sql, Object... params) throws SQLException {
        return queryFirst(c, sql, rs -> Boolean.TRUE, params).isPresent();
    }

    /** {@link #exists(Connection, String, Object...)} on a connection of its own. */
    public static boolean exists(DataSource db, String sql, Object... params) throws SQLException {
        return withConnection(db, c -> exists(c, sql, params));
    }

    /** Runs one statement for each item, as one JDBC batch; {@code params} gives an item's parameters. */
    public static <T> int[] batch(Connection c, String sql, Iterable<T> items, Function<? super T, Object[]> params)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (T item : items) {
                bind(c, st, params.apply(item));
                st.addBatch();
            }
            return st.executeBatch();
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement st = c.prepareStatement(sql);
        try {
            bind(c, st, params);
            return st;
        } catch (SQLException | RuntimeException e) {
            st.close();
            throw e;
        }
    }

    private static void bind(Connection c, PreparedStatement st, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            int at = i + 1;
            switch (params[i]) {
                case null -> st.setNull(at, Types.VARCHAR);
                case String s -> st.setString(at, s);
                case Long l -> st.setLong(at, l);
                case Integer n -> st.setInt(at, n);
                case Instant t -> st.setTimestamp(at, Timestamp.from(t));
                case UUID u -> st.setObject(at, u);
                case LocalDate d -> st.setObject(at, d);
                case TextArray texts -> st.setArray(at, c.createArrayOf("text", texts.values().toArray()));
                default -> throw new IllegalArgumentException("No binding for a parameter of type "
                        + params[i].getClass().getName() + " (parameter " + at + ")");
            }
        }
    }
}
