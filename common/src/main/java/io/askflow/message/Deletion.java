package io.askflow.message;

import java.time.Instant;

/**
 * A request, from the gateway, to erase a conversation (conversationId set) or everything of a
 * user (userId set) within a tenant, on {@code askflow.deletions}. Each service erases what it
 * stores itself, so no service reaches into another's tables.
 */
public record Deletion(int schemaVersion, String tenantId, String conversationId, String userId, Instant requestedAt) {
}
