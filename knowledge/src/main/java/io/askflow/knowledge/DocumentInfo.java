package io.askflow.knowledge;

import java.time.Instant;

/** An uploaded document, without its text. */
public record DocumentInfo(String id, String tenantId, String userId, String title, String contentType, int chars,
        Instant createdAt) {
}
