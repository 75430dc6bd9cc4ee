package io.askflow.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** A decoded record handed to a {@link Handler}, with the coordinates it came from. */
public record Incoming<T>(String topic, int partition, long offset, String key, T value, Headers headers, Instant timestamp) {

    public Optional<String> header(String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? Optional.empty() : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }

    /** Where this record came from, for logs and error messages. */
    public String coordinates() {
        return topic + "-" + partition + "@" + offset;
    }
}
