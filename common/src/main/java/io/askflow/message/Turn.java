package io.askflow.message;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An accepted, validated request on {@code askflow.turns}: every field the later stages need is present.
 *
 * @param sequence the turn's place in its conversation (1, 2, ...) as the gateway accepted it; 0 when
 *     unknown. The context-builder runs a conversation's turns in this order, however Kafka
 *     interleaves their delivery.
 * @param responseFormat optional structured-output schema the answer must follow
 * @param history the earlier messages the request brought (see {@link PromptRequest#history}); null:
 *     the context-builder reads the conversation's stored history
 */
public record Turn(
        @JsonUnwrapped Envelope envelope,
        String prompt,
        String model,
        String timeZone,
        Instant acceptedAt,
        Map<String, String> metadata,
        long sequence,
        ResponseFormat responseFormat,
        List<HistoryMessage> history) implements AskflowMessage {

    public Turn {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(envelope.requestId(), "requestId");
        Objects.requireNonNull(envelope.tenantId(), "tenantId");
        Objects.requireNonNull(envelope.conversationId(), "conversationId");
        Objects.requireNonNull(envelope.userId(), "userId");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(envelope.deadline(), "deadline");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        history = history == null ? null : List.copyOf(history);
    }

    public Turn withSequence(long newSequence) {
        return toBuilder().sequence(newSequence).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().envelope(envelope).prompt(prompt).model(model).timeZone(timeZone).acceptedAt(acceptedAt)
                .metadata(metadata).sequence(sequence).responseFormat(responseFormat).history(history);
    }

    public static final class Builder {
        private Envelope envelope;
        private String prompt;
        private String model;
        private String timeZone;
        private Instant acceptedAt;
        private Map<String, String> metadata;
        private long sequence;
        private ResponseFormat responseFormat;
        private List<HistoryMessage> history;

        private Builder() {
        }

        public Builder envelope(Envelope value) {
            envelope = value;
            return this;
        }

        public Builder prompt(String value) {
            prompt = value;
            return this;
        }

        public Builder model(String value) {
            model = value;
            return this;
        }

        public Builder timeZone(String value) {
            timeZone = value;
            return this;
        }

        public Builder acceptedAt(Instant value) {
            acceptedAt = value;
            return this;
        }

        public Builder metadata(Map<String, String> value) {
            metadata = value;
            return this;
        }

        public Builder sequence(long value) {
            sequence = value;
            return this;
        }

        public Builder responseFormat(ResponseFormat value) {
            responseFormat = value;
            return this;
        }

        public Builder history(List<HistoryMessage> value) {
            history = value;
            return this;
        }

        public Turn build() {
            return new Turn(envelope, prompt, model, timeZone, acceptedAt, metadata, sequence, responseFormat, history);
        }
    }
}
