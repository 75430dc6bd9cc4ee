package io.askflow.message;

import java.time.Instant;
import java.util.Map;

/**
 * A request, from the gateway, to erase a conversation (conversationId set) or everything of a
 * user (userId set) within a tenant, on {@code askflow.deletions}. Each service erases what it
 * stores itself, so no service reaches into another's tables.
 *
 * @param erasedThrough for each conversation erased, the last sequence the gateway had given one of
 *     its turns when the deletion took effect: those turns are erased wherever they are; turns
 *     numbered later were admitted after the deletion and belong to the conversation as it goes on
 */
public record Deletion(int schemaVersion, String tenantId, String conversationId, String userId, Instant requestedAt,
        Map<String, Long> erasedThrough) {

    public Deletion {
        // A deletion naming no tenant, or neither or both of its targets, erased nothing and was
        // taken as handled; refused here, it is dead-lettered like any unreadable record.
        java.util.Objects.requireNonNull(tenantId, "tenantId");
        if ((conversationId == null) == (userId == null)) {
            throw new IllegalArgumentException("A deletion names either a conversationId or a userId");
        }
        erasedThrough = erasedThrough == null ? Map.of() : Map.copyOf(erasedThrough);
    }
}
