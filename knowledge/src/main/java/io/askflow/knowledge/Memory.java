package io.askflow.knowledge;

import java.time.Instant;

/** One remembered fact about a user. */
public record Memory(String id, String tenantId, String userId, String text, Instant createdAt) {
}
