package io.askflow.tools;

import java.time.Instant;
import java.util.Objects;

/**
 * Who a tool runs for and until when. {@code deadline} is the earlier of the tool timeout and the
 * turn's deadline, so a tool that does its own I/O can bound it without knowing either.
 */
record ToolContext(String tenantId, String userId, Instant deadline, String requestId, String conversationId) {
    ToolContext {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(deadline, "deadline");
    }
}
