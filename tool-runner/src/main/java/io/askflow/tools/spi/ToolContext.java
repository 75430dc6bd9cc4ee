package io.askflow.tools.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * Who a tool runs for and until when. {@code deadline} is the earliest of the tool's own timeout,
 * the configured tool timeout and the turn's deadline, so a tool that does its own I/O can bound
 * it without knowing any of them.
 */
public record ToolContext(String tenantId, String userId, Instant deadline, String requestId, String conversationId) {
    public ToolContext {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(deadline, "deadline");
    }

    public ToolContext withDeadline(Instant newDeadline) {
        return new ToolContext(tenantId, userId, newDeadline, requestId, conversationId);
    }
}
