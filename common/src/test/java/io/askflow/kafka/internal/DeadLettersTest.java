package io.askflow.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.kafka.HeaderKeys;
import io.askflow.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    @Test
    void aDeadLetterKeepsTheRecordAndSaysWhereItCameFromAndWhy() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", "00-abc".getBytes(StandardCharsets.UTF_8));
        headers.add(HeaderKeys.DLQ_TOPIC, "an-earlier-topic".getBytes(StandardCharsets.UTF_8));
        byte[] value = "poison".getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<String, byte[]> rec = new ConsumerRecord<>("askflow.turns", 3, 41L, 1_764_576_000_000L,
                TimestampType.CREATE_TIME, 3, value.length, "conv-1", value, headers, Optional.empty());

        ProducerRecord<String, byte[]> out = DeadLetters.of(rec, new IllegalStateException("x".repeat(5_000)));

        assertThat(out.topic()).isEqualTo(Topics.DEAD_LETTERS.name());
        assertThat(out.key()).isEqualTo("conv-1");
        assertThat(out.value()).isEqualTo(value);
        assertThat(header(out, "traceparent")).isEqualTo("00-abc");
        assertThat(out.headers().headers(HeaderKeys.DLQ_TOPIC)).as("an earlier death's headers are replaced").hasSize(1);
        assertThat(header(out, HeaderKeys.DLQ_TOPIC)).isEqualTo("askflow.turns");
        assertThat(header(out, HeaderKeys.DLQ_PARTITION)).isEqualTo("3");
        assertThat(header(out, HeaderKeys.DLQ_OFFSET)).isEqualTo("41");
        assertThat(header(out, HeaderKeys.DLQ_TIMESTAMP)).isEqualTo("2025-12-01T08:00:00Z");
        assertThat(header(out, HeaderKeys.DLQ_EXCEPTION_CLASS)).isEqualTo(IllegalStateException.class.getName());
        assertThat(header(out, HeaderKeys.DLQ_EXCEPTION_MESSAGE)).hasSize(2_000);
        assertThat(header(DeadLetters.of(rec, new RuntimeException()), HeaderKeys.DLQ_EXCEPTION_MESSAGE)).isEqualTo("null");
    }

    private static String header(ProducerRecord<String, byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
