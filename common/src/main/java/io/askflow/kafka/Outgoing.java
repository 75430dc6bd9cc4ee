package io.askflow.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A record a handler wants published. The value is encoded when the outgoing record is made, so a
 * value of the wrong type for its topic fails inside the handler, not in the runner.
 */
public record Outgoing(String topic, String key, byte[] value, Map<String, String> headers) {

    public Outgoing {
        Objects.requireNonNull(topic, "topic");
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public static <T> Outgoing to(TopicSpec<T> topic, String key, T value) {
        return new Outgoing(topic.name(), key, topic.encode(value), Map.of());
    }

    /** The record to send, with this record's headers. */
    public ProducerRecord<String, byte[]> toRecord() {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, key, value);
        headers.forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        return r;
    }
}
