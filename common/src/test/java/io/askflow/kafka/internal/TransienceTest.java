package io.askflow.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TransienceTest {

    @ParameterizedTest
    @ValueSource(strings = {"08006", "08001", "40001", "40P01", "53300", "53100", "57P01", "57P03"})
    void statesThatPassWithTimeAreTransient(String state) {
        assertThat(Transience.isTransient(new SQLException("x", state))).isTrue();
        assertThat(Transience.isTransient(new RuntimeException(new SQLException("x", state)))).as("as a cause").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"23505", "22P02", "42P01", "40002", "57014", "0A000"})
    void statesThatWouldFailAgainAreNot(String state) {
        assertThat(Transience.isTransient(new SQLException("x", state))).isFalse();
    }

    @Test
    void theJdbcTransientTypesAreTransientWhateverTheirState() {
        assertThat(Transience.isTransient(new SQLTransientConnectionException("x"))).isTrue();
        assertThat(Transience.isTransient(new SQLRecoverableException("x"))).isTrue();
        assertThat(Transience.isTransient(new SQLException("no state"))).isFalse();
        assertThat(Transience.isTransient(new IllegalStateException("a bug"))).isFalse();
        assertThat(Transience.isTransient(null)).isFalse();
    }
}
