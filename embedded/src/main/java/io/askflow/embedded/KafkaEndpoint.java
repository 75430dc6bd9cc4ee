package io.askflow.embedded;

import java.util.Objects;

/**
 * Where a Kafka cluster can be reached, and how it was obtained.
 *
 * <p>The origin travels with the address so that a failing test can tell whether it talked to a
 * broker somebody configured, a container, or the in-process one this module started.
 *
 * @param bootstrapServers the {@code bootstrap.servers} value for Kafka clients
 * @param origin {@code "environment"}, {@code "testcontainers"} or {@code "embedded"}
 */
public record KafkaEndpoint(String bootstrapServers, String origin) {

    public KafkaEndpoint {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(origin, "origin");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers is blank");
        }
    }
}
