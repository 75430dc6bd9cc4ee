package io.askflow.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askflow.message.Answer;
import io.askflow.message.Envelope;
import io.askflow.message.MessageFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TopicSpecTest {

    @Test
    void rawTopicsPassTheirBytesThroughAndTypedTopicsSpeakJson() {
        byte[] raw = "{not json".getBytes(StandardCharsets.UTF_8);
        assertThat(Topics.REQUESTS.encode(raw)).isSameAs(raw);
        assertThat(Topics.REQUESTS.decode(raw)).isSameAs(raw);
        assertThat(Topics.REQUESTS.decode(null)).isNull();

        Answer a = Answer.builder().envelope(Envelope.builder().requestId("r").tenantId("t").conversationId("c").build())
                .status(Answer.Status.OK).text("hi").createdAt(Instant.parse("2026-12-01T08:00:00Z")).build();
        assertThat(new String(Topics.ANSWERS.encode(a), StandardCharsets.UTF_8)).contains("\"text\":\"hi\"");
        assertThat(Topics.ANSWERS.decode(Topics.ANSWERS.encode(a))).isEqualTo(a);
        assertThat(Topics.ANSWERS.toString()).isEqualTo("askflow.answers");
    }

    @Test
    void aTombstoneOrForeignBytesOnATypedTopicAreAFormatError() {
        assertThatThrownBy(() -> Topics.ANSWERS.decode(null)).isInstanceOf(MessageFormatException.class)
                .hasMessageContaining("tombstone").hasMessageContaining("askflow.answers");
        assertThatThrownBy(() -> Topics.TURNS.decode("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MessageFormatException.class);
    }
}
