package io.askflow.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askflow.config.ConfigException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;

class StartupTest {
    @Test
    void aDependencyThatComesBackIsWaitedFor() {
        AtomicInteger attempts = new AtomicInteger();
        String result = Startup.retrying("step", Duration.ofSeconds(30), () -> {
            switch (attempts.incrementAndGet()) {
                case 1 -> throw new IllegalStateException(new SQLException("This connection has been closed.", "08003"));
                case 2 -> throw new ExecutionException(new TimeoutException("listTopics timed out"));
                case 3 -> throw new SQLException("the database system is starting up", "57P03");
                default -> {
                    return "started";
                }
            }
        });
        assertThat(result).isEqualTo("started");
        assertThat(attempts).hasValue(4);
    }

    @Test
    void aFailureWaitingCannotCureEndsTheStartAtOnce() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> Startup.retrying("Creating askflow topics", Duration.ofSeconds(30), () -> {
            attempts.incrementAndGet();
            throw new ExecutionException(new SaslAuthenticationException("Authentication failed"));
        })).isInstanceOf(StartupFailure.class)
                .hasMessage("Creating askflow topics failed: SaslAuthenticationException: Authentication failed");
        assertThatThrownBy(() -> Startup.retrying("step", Duration.ofSeconds(30), () -> {
            attempts.incrementAndGet();
            throw new ConfigException("Invalid ASKFLOW_X");
        })).isInstanceOf(ConfigException.class);
        assertThat(attempts).hasValue(2);
    }

    @Test
    void aDependencyThatStaysDownFailsWithOneLineAfterTheTimeout() {
        long began = System.nanoTime();
        assertThatThrownBy(() -> Startup.retrying("Opening PostgreSQL at jdbc:postgresql://db/askflow",
                Duration.ofMillis(600), () -> {
                    throw new SQLException("Connection to db:5432 refused.\nCheck that the hostname is correct", "08001");
                }))
                .isInstanceOf(StartupFailure.class)
                .hasMessageStartingWith("Opening PostgreSQL at jdbc:postgresql://db/askflow: not answering within "
                        + "ASKFLOW_STARTUP_TIMEOUT (PT0.6S, ")
                .hasMessageEndingWith("attempts): SQLException: Connection to db:5432 refused.")
                .message().doesNotContain("\n");
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isBetween(Duration.ofMillis(600), Duration.ofSeconds(10));
    }

    @Test
    void aFailedStartClosesWhatItOpenedInReverseOrder() {
        List<String> closed = new ArrayList<>();
        assertThatThrownBy(() -> {
            try (Startup.Parts parts = new Startup.Parts()) {
                parts.add(() -> closed.add("pool"));
                parts.add(() -> closed.add("producer"));
                throw new StartupFailure("step failed", null);
            }
        }).isInstanceOf(StartupFailure.class);
        assertThat(closed).containsExactly("producer", "pool");

        closed.clear();
        try (Startup.Parts parts = new Startup.Parts()) {
            parts.add(() -> closed.add("pool"));
            parts.keep();
        }
        assertThat(closed).isEmpty();
    }
}
