package io.askflow.message;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one message every accepted request ends with, on {@code askflow.answers}: either the text
 * (with the sources the tools used) or an error with a code from {@link ErrorCode}.
 *
 * @param model the model that answered, as the model API named itself
 * @param metadata facts about how the answer was made, e.g. {@code model.notice} when the
 *     offline local model answered instead of GPT
 * @param jobId set when the request was one document of a batch job
 */
public record Answer(
        int schemaVersion,
        String requestId,
        String tenantId,
        String conversationId,
        String userId,
        Status status,
        String text,
        AnswerError error,
        List<Source> sources,
        Usage usage,
        int toolRounds,
        String model,
        Instant createdAt,
        Map<String, String> metadata,
        String jobId) implements AskflowMessage {

    public enum Status {
        OK, ERROR;

        @com.fasterxml.jackson.annotation.JsonValue
        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Answer {
        Objects.requireNonNull(status, "status");
        sources = sources == null ? List.of() : List.copyOf(sources);
        usage = usage == null ? Usage.ZERO : usage;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** An answer outside any batch job (the shape before {@code jobId} existed). */
    public Answer(int schemaVersion, String requestId, String tenantId, String conversationId, String userId,
            Status status, String text, AnswerError error, List<Source> sources, Usage usage, int toolRounds,
            String model, Instant createdAt, Map<String, String> metadata) {
        this(schemaVersion, requestId, tenantId, conversationId, userId, status, text, error, sources, usage, toolRounds,
                model, createdAt, metadata, null);
    }

    public static Answer ok(ModelCall call, String text, String model, Instant now, Map<String, String> metadata) {
        return new Answer(CURRENT_SCHEMA_VERSION, call.requestId(), call.tenantId(), call.conversationId(),
                call.userId(), Status.OK, text, null, call.sources(), call.usage(), call.round(), model, now, metadata,
                call.jobId());
    }

    /** An error answer for a request that got as far as a model call. */
    public static Answer error(ModelCall call, ErrorCode code, String message, Instant now) {
        return new Answer(CURRENT_SCHEMA_VERSION, call.requestId(), call.tenantId(), call.conversationId(),
                call.userId(), Status.ERROR, null, new AnswerError(code, message), call.sources(), call.usage(),
                call.round(), call.model(), now, call.metadata(), call.jobId());
    }

    /** An error answer for a request that never became a turn (rejected, or failed before a model call). */
    public static Answer error(String requestId, String tenantId, String conversationId, String userId, ErrorCode code,
            String message, Instant now) {
        return new Answer(CURRENT_SCHEMA_VERSION, requestId, tenantId, conversationId, userId, Status.ERROR, null,
                new AnswerError(code, message), List.of(), Usage.ZERO, 0, null, now, Map.of());
    }

    /** The same answer, labelled as a result of batch job {@code id}. */
    public Answer withJobId(String id) {
        return new Answer(schemaVersion, requestId, tenantId, conversationId, userId, status, text, error, sources, usage,
                toolRounds, model, createdAt, metadata, id);
    }

    /** Not a property: the wire has {@code status}, and a second field saying the same would be a second truth. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isOk() {
        return status == Status.OK;
    }
}
