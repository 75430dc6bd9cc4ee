package io.askflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** A restarted database keeps its URL and its data; sessions from before the restart are gone. */
class PostgresRestartTest {

    @Test
    void rowWrittenBeforeARestartIsReadAfterItOnTheSameUrl() throws Exception {
        Infrastructure infrastructure = Infrastructure.shared();
        assumeTrue(infrastructure.embeddedPostgres().isPresent(), "PostgreSQL is not embedded");
        EmbeddedPostgres database = infrastructure.embeddedPostgres().orElseThrow();
        PostgresEndpoint endpoint = infrastructure.postgres();

        try (Connection before = connect(endpoint); Statement st = before.createStatement()) {
            st.execute("CREATE TABLE restart_probe (v TEXT)");
            st.execute("INSERT INTO restart_probe VALUES ('before')");

            database.restart();

            assertThat(database.endpoint().jdbcUrl()).isEqualTo(endpoint.jdbcUrl());
            assertThatThrownBy(() -> st.executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
        }
        try (Connection after = connect(endpoint); Statement st = after.createStatement();
                ResultSet rs = st.executeQuery("SELECT v FROM restart_probe")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("before");
            st.execute("DROP TABLE restart_probe");
        }
    }

    private static Connection connect(PostgresEndpoint endpoint) throws SQLException {
        return DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
    }
}
