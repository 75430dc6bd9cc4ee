package io.askflow.kafka.internal;

import io.askflow.kafka.HeaderKeys;
import io.askflow.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Builds the dead-letter record for a record no stage could handle: the original key, value and
 * headers, plus headers that say where it came from and why it failed, so that it can be inspected
 * and re-published to its original topic.
 */
public final class DeadLetters {
    private static final int MAX_MESSAGE_CHARS = 2_000;

    private DeadLetters() {
    }

    public static ProducerRecord<String, byte[]> of(ConsumerRecord<String, byte[]> rec, Throwable error) {
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(Topics.DEAD_LETTERS.name(), rec.key(), rec.value());
        for (Header h : rec.headers()) {
            if (!h.key().startsWith(HeaderKeys.DLQ_PREFIX)) {
                out.headers().add(h);
            }
        }
        String message = String.valueOf(error.getMessage());
        if (message.length() > MAX_MESSAGE_CHARS) {
            message = message.substring(0, MAX_MESSAGE_CHARS);
        }
        add(out, HeaderKeys.DLQ_TOPIC, rec.topic());
        add(out, HeaderKeys.DLQ_PARTITION, Integer.toString(rec.partition()));
        add(out, HeaderKeys.DLQ_OFFSET, Long.toString(rec.offset()));
        add(out, HeaderKeys.DLQ_TIMESTAMP, Instant.ofEpochMilli(rec.timestamp()).toString());
        add(out, HeaderKeys.DLQ_EXCEPTION_CLASS, error.getClass().getName());
        add(out, HeaderKeys.DLQ_EXCEPTION_MESSAGE, message);
        return out;
    }

    private static void add(ProducerRecord<String, byte[]> out, String name, String value) {
        out.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
