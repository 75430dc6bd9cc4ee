package io.askflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class SharedInfrastructureTest {

    @Test
    void withNothingConfiguredEverythingIsStartedHere() {
        assumeTrue(System.getenv(Infrastructure.KAFKA_BOOTSTRAP_SERVERS) == null
                && System.getenv(Infrastructure.DATABASE_URL) == null, "endpoints configured in the environment");

        Infrastructure infrastructure = Infrastructure.shared();

        assertThat(infrastructure.kafka().origin()).isIn("embedded", "testcontainers");
        assertThat(infrastructure.postgres().origin()).isIn("embedded", "testcontainers");
        assertThat(infrastructure.embeddedKafka().isPresent())
                .isEqualTo(infrastructure.kafka().origin().equals("embedded"));
        assertThat(Infrastructure.shared()).isSameAs(infrastructure);
    }

    @Test
    void recordProducedIsConsumed() throws Exception {
        String bootstrap = Infrastructure.shared().kafka().bootstrapServers();
        String topic = KafkaClients.createTopic(bootstrap, "round-trip");

        try (KafkaProducer<String, String> producer = KafkaClients.producer(bootstrap);
                KafkaConsumer<String, String> consumer = KafkaClients.consumer(bootstrap, topic)) {
            producer.send(new ProducerRecord<>(topic, "question-1", "What day is it?")).get(30, TimeUnit.SECONDS);

            var received = KafkaClients.poll(consumer, 1, Duration.ofSeconds(30));

            assertThat(received).extracting(ConsumerRecord::key, ConsumerRecord::value)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("question-1", "What day is it?"));
        }
    }

    @Test
    void sqlRunsAgainstTheAskflowDatabase() throws Exception {
        PostgresEndpoint db = Infrastructure.shared().postgres();

        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS probe (id int PRIMARY KEY, note text)");
            statement.execute("INSERT INTO probe VALUES (1, 'hello') ON CONFLICT (id) DO NOTHING");
            try (ResultSet rs = statement.executeQuery(
                    "SELECT current_database(), current_setting('server_version_num')::int, note FROM probe WHERE id = 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("askflow");
                assertThat(rs.getInt(2)).isGreaterThanOrEqualTo(170000);
                assertThat(rs.getString(3)).isEqualTo("hello");
            }
        }
    }

    @Test
    void postgresEndpointDoesNotPrintThePassword() {
        var endpoint = new PostgresEndpoint("jdbc:postgresql://db/askflow", "askflow", "s3cret", "environment");

        assertThat(endpoint.toString()).doesNotContain("s3cret").contains("askflow", "environment");
    }
}
