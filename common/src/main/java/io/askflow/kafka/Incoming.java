package io.askflow.kafka;

import java.time.Instant;
import org.apache.kafka.common.header.Headers;

/** A decoded record handed to a {@link Handler}, with the coordinates it came from. */
public record Incoming<T>(String topic, int partition, long offset, String key, T value, Headers headers, Instant timestamp) {

    /** Where this record came from, for logs and error messages. */
    public String coordinates() {
        return topic + "-" + partition + "@" + offset;
    }
}
