package io.askflow.message;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * An accepted, validated request on {@code askflow.turns}: every field the later stages need is present.
 *
 * @param sequence the turn's place in its conversation (1, 2, ...) as the gateway accepted it; 0 when
 *     unknown. The context-builder runs a conversation's turns in this order, however Kafka
 *     interleaves their delivery.
 * @param jobId set when the turn is one document of a batch job; carried to the answer
 * @param responseFormat optional structured-output schema the answer must follow
 */
public record Turn(
        int schemaVersion,
        String requestId,
        String tenantId,
        String conversationId,
        String userId,
        String prompt,
        String model,
        String timeZone,
        Instant acceptedAt,
        Instant deadline,
        Map<String, String> metadata,
        long sequence,
        String jobId,
        ResponseFormat responseFormat) implements AskflowMessage {

    /** A turn without a sequence, job or response format (the shape before these fields existed). */
    public Turn(int schemaVersion, String requestId, String tenantId, String conversationId, String userId,
            String prompt, String model, String timeZone, Instant acceptedAt, Instant deadline,
            Map<String, String> metadata) {
        this(schemaVersion, requestId, tenantId, conversationId, userId, prompt, model, timeZone, acceptedAt, deadline,
                metadata, 0, null, null);
    }

    public Turn {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(conversationId, "conversationId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(deadline, "deadline");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public Turn withSequence(long newSequence) {
        return new Turn(schemaVersion, requestId, tenantId, conversationId, userId, prompt, model, timeZone, acceptedAt,
                deadline, metadata, newSequence, jobId, responseFormat);
    }
}
