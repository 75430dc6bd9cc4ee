package io.askflow.kafka.internal;

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
    public static final String TOPIC = "askflow.dlq.topic";
    public static final String PARTITION = "askflow.dlq.partition";
    public static final String OFFSET = "askflow.dlq.offset";
    public static final String TIMESTAMP = "askflow.dlq.timestamp";
    public static final String EXCEPTION_CLASS = "askflow.dlq.exception.class";
    public static final String EXCEPTION_MESSAGE = "askflow.dlq.exception.message";

    private static final int MAX_MESSAGE_CHARS = 2_000;

    private DeadLetters() {
    }

    public static ProducerRecord<String, byte[]> of(ConsumerRecord<String, byte[]> rec, Throwable error) {
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(Topics.DEAD_LETTERS.name(), rec.key(), rec.value());
        for (Header h : rec.headers()) {
            if (!h.key().startsWith("askflow.dlq.")) {
                out.headers().add(h);
            }
        }
        String message = String.valueOf(error.getMessage());
        if (message.length() > MAX_MESSAGE_CHARS) {
            message = message.substring(0, MAX_MESSAGE_CHARS);
        }
        add(out, TOPIC, rec.topic());
        add(out, PARTITION, Integer.toString(rec.partition()));
        add(out, OFFSET, Long.toString(rec.offset()));
        add(out, TIMESTAMP, Instant.ofEpochMilli(rec.timestamp()).toString());
        add(out, EXCEPTION_CLASS, error.getClass().getName());
        add(out, EXCEPTION_MESSAGE, message);
        return out;
    }

    private static void add(ProducerRecord<String, byte[]> out, String name, String value) {
        out.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
