package io.askflow.message;


/**
 * What every message on an askflow topic carries, so that any stage can correlate, route and
 * expire a turn without knowing the others' payloads.
 */
public sealed interface AskflowMessage permits PromptRequest, Turn, ModelCall, Answer {
    /** Bumped when a field changes meaning; readers ignore unknown fields, so adding one is not a bump. */
    int CURRENT_SCHEMA_VERSION = 1;

    int schemaVersion();

    String requestId();

    String tenantId();

    String conversationId();
}
