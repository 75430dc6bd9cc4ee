package io.askflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Endpoints in the environment win, and nothing is started for them. */
class EnvironmentResolutionTest {

    @TempDir
    Path dataDir;

    @Test
    void endpointsFromTheEnvironmentAreUsedAsGiven() throws Exception {
        Infrastructure running = Infrastructure.shared();
        PostgresEndpoint db = running.postgres();
        Map<String, String> env = Map.of(
                Infrastructure.KAFKA_BOOTSTRAP_SERVERS, running.kafka().bootstrapServers(),
                Infrastructure.DATABASE_URL, db.jdbcUrl(),
                Infrastructure.DATABASE_USER, db.user(),
                Infrastructure.DATABASE_PASSWORD, db.password());

        try (Infrastructure resolved = Infrastructure.resolve(env, dataDir)) {
            assertThat(resolved.kafka())
                    .isEqualTo(new KafkaEndpoint(running.kafka().bootstrapServers(), "environment"));
            assertThat(resolved.postgres())
                    .isEqualTo(new PostgresEndpoint(db.jdbcUrl(), db.user(), db.password(), "environment"));
            assertThat(resolved.embeddedKafka()).isEmpty();
            // No second broker or database: nothing was written to the data directory.
            assertThat(dataDir).isEmptyDirectory();

            // The configured broker is usable through the resolved endpoint.
            String topic = KafkaClients.createTopic(resolved.kafka().bootstrapServers(), "env");
            assertThat(topic).startsWith("env-");
        }
    }
}
