package io.askflow.embedded;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Everything that touches Testcontainers, kept in one class so that its classes (and its Docker
 * probing, which logs loudly and can take seconds) are only loaded once a Docker engine looks
 * reachable.
 */
final class Containers {

    static final String KAFKA_IMAGE = "apache/kafka:4.1.1";
    static final String POSTGRES_IMAGE = "postgres:17";

    private Containers() {
    }

    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static KafkaContainer startKafka() {
        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE)
                // Same behaviour as the embedded broker: explicit topics, immediate group joins.
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        kafka.start();
        return kafka;
    }

    static PostgreSQLContainer startPostgres() {
        PostgreSQLContainer postgres = new PostgreSQLContainer(POSTGRES_IMAGE)
                .withDatabaseName(EmbeddedPostgres.DATABASE);
        postgres.start();
        return postgres;
    }
}
