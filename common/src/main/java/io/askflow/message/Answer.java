package io.askflow.message;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The one message every accepted request ends with, on {@code askflow.answers}: either the text
 * (with the sources the tools used) or an error with a code from {@link ErrorCode}.
 *
 * @param envelope the turn's; its {@code jobId} is set when the request was one document of a batch
 *     job, and it has no deadline (the answer ends the work the deadline bounded)
 * @param model the model that answered, as the model API named itself
 * @param metadata facts about how the answer was made, e.g. {@code model.notice} when the
 *     offline local model answered instead of GPT
 */
public record Answer(
        @JsonUnwrapped @JsonIgnoreProperties("deadline") Envelope envelope,
        Status status,
        String text,
        AnswerError error,
        List<Source> sources,
        Usage usage,
        int toolRounds,
        String model,
        Instant createdAt,
        Map<String, String> metadata) implements AskflowMessage {

    public enum Status {
        OK, ERROR;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Answer {
        envelope = envelope == null ? Envelope.builder().schemaVersion(0).build()
                : envelope.deadline() == null ? envelope : envelope.toBuilder().deadline(null).build();
        Objects.requireNonNull(status, "status");
        sources = sources == null ? List.of() : List.copyOf(sources);
        usage = usage == null ? Usage.ZERO : usage;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public static Answer ok(ModelCall call, String text, String model, Instant now, Map<String, String> metadata) {
        return fromCall(call).status(Status.OK).text(text).model(model).createdAt(now).metadata(metadata).build();
    }

    /** An error answer for a request that got as far as a model call. */
    public static Answer error(ModelCall call, ErrorCode code, String message, Instant now) {
        return fromCall(call).status(Status.ERROR).error(new AnswerError(code, message)).model(call.model())
                .createdAt(now).metadata(call.metadata()).build();
    }

    /** What an answer takes over from the turn's last model call. */
    private static Builder fromCall(ModelCall call) {
        return builder().envelope(call.envelope().toBuilder().schemaVersion(CURRENT_SCHEMA_VERSION).build())
                .sources(call.sources()).usage(call.usage()).toolRounds(call.round());
    }

    /** An error answer for a request that never became a turn (rejected, or failed before a model call). */
    public static Answer error(String requestId, String tenantId, String conversationId, String userId, ErrorCode code,
            String message, Instant now) {
        return builder().envelope(Envelope.builder().requestId(requestId).tenantId(tenantId)
                        .conversationId(conversationId).userId(userId).build())
                .status(Status.ERROR).error(new AnswerError(code, message)).createdAt(now).build();
    }

    /** The same answer, labelled as a result of batch job {@code id}. */
    public Answer withJobId(String id) {
        return toBuilder().envelope(envelope.toBuilder().jobId(id).build()).build();
    }

    /** Not a property: the wire has {@code status}, and a second field saying the same would be a second truth. */
    @JsonIgnore
    public boolean isOk() {
        return status == Status.OK;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().envelope(envelope).status(status).text(text).error(error).sources(sources).usage(usage)
                .toolRounds(toolRounds).model(model).createdAt(createdAt).metadata(metadata);
    }

    public static final class Builder {
        private Envelope envelope;
        private Status status;
        private String text;
        private AnswerError error;
        private List<Source> sources;
        private Usage usage;
        private int toolRounds;
        private String model;
        private Instant createdAt;
        private Map<String, String> metadata;

        private Builder() {
        }

        public Builder envelope(Envelope value) {
            envelope = value;
            return this;
        }

        public Builder status(Status value) {
            status = value;
            return this;
        }

        public Builder text(String value) {
            text = value;
            return this;
        }

        public Builder error(AnswerError value) {
            error = value;
            return this;
        }

        public Builder sources(List<Source> value) {
            sources = value;
            return this;
        }

        public Builder usage(Usage value) {
            usage = value;
            return this;
        }

        public Builder toolRounds(int value) {
            toolRounds = value;
            return this;
        }

        public Builder model(String value) {
            model = value;
            return this;
        }

        public Builder createdAt(Instant value) {
            createdAt = value;
            return this;
        }

        public Builder metadata(Map<String, String> value) {
            metadata = value;
            return this;
        }

        public Answer build() {
            return new Answer(envelope, status, text, error, sources, usage, toolRounds, model, createdAt, metadata);
        }
    }
}
