package io.askflow.embedded;

import java.util.Objects;

/**
 * Where a PostgreSQL database can be reached, and how it was obtained.
 *
 * <p>{@link #toString()} leaves the password out because endpoints end up in log lines and test
 * reports, and the environment path may carry a real credential.
 *
 * @param jdbcUrl the JDBC URL of the {@code askflow} database
 * @param user the user to connect as
 * @param password the password for {@code user}; may be empty, never null
 * @param origin {@code "environment"}, {@code "testcontainers"} or {@code "embedded"}
 */
public record PostgresEndpoint(String jdbcUrl, String user, String password, String origin) {

    public PostgresEndpoint {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(origin, "origin");
    }

    @Override
    public String toString() {
        return "PostgresEndpoint[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=***, origin=" + origin + "]";
    }
}
