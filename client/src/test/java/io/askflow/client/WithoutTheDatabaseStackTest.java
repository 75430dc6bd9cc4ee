package io.askflow.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * This module's test class path is what a backend gets: common without PostgreSQL, HikariCP or
 * Flyway. Creating a client loads every class it needs to start, so a stray reference to them fails here.
 */
class WithoutTheDatabaseStackTest {
    @Test
    void theDatabaseLibrariesAreNotOnTheClassPath() {
        assertThat(present("org.postgresql.Driver")).isFalse();
        assertThat(present("com.zaxxer.hikari.HikariDataSource")).isFalse();
        assertThat(present("org.flywaydb.core.Flyway")).isFalse();
        assertThat(present("org.apache.kafka.clients.consumer.KafkaConsumer")).isTrue();
    }

    @Test
    void creatingAClientAgainstNoBrokerFailsClearlyWithinTheStartTimeout() {
        ClientOptions nowhere = ClientOptions.builder().bootstrapServers("127.0.0.1:1")
                .startTimeout(Duration.ofMillis(500)).build();
        long start = System.nanoTime();
        assertThatThrownBy(() -> AskflowClient.create(nowhere)).isInstanceOf(AskflowClientException.class)
                .hasMessage("Kafka at 127.0.0.1:1 did not answer within PT0.5S: is it running, and does "
                        + "ASKFLOW_KAFKA_BOOTSTRAP_SERVERS name it?");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, WithoutTheDatabaseStackTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
