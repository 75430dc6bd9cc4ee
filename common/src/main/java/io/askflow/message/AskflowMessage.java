package io.askflow.message;

import java.time.Instant;

/**
 * A message of a turn: it carries the turn's {@link Envelope}, whose fields are read here as the
 * message's own so that no caller spells {@code envelope().} to correlate or route.
 */
public sealed interface AskflowMessage permits Turn, ModelCall, Answer {
    /** Bumped when a field changes meaning; readers ignore unknown fields, so adding one is not a bump. */
    int CURRENT_SCHEMA_VERSION = 1;

    Envelope envelope();

    default int schemaVersion() {
        return envelope().schemaVersion();
    }

    default String requestId() {
        return envelope().requestId();
    }

    default String tenantId() {
        return envelope().tenantId();
    }

    default String conversationId() {
        return envelope().conversationId();
    }

    default String userId() {
        return envelope().userId();
    }

    default String jobId() {
        return envelope().jobId();
    }

    default Instant deadline() {
        return envelope().deadline();
    }
}
