package io.askflow.message;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/** An accepted, validated request on {@code askflow.turns}: every field the later stages need is present. */
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
        Map<String, String> metadata) implements AskflowMessage {

    public Turn {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(conversationId, "conversationId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(deadline, "deadline");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
