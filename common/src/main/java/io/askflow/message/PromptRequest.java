package io.askflow.message;

import java.time.Instant;
import java.util.Map;

/**
 * A prompt as a backend submits it, on {@code askflow.requests} or over HTTP. Every field may be
 * missing or wrong here: the gateway validates it and answers a bad one with a coded error, so this
 * record deliberately has no invariants.
 *
 * @param conversationId optional; a new conversation is started when absent
 * @param timeZone optional IANA zone for the date line, e.g. {@code Europe/Berlin}
 * @param deadline optional absolute deadline; the configured default applies when absent
 */
public record PromptRequest(
        int schemaVersion,
        String requestId,
        String tenantId,
        String conversationId,
        String userId,
        String prompt,
        String model,
        String timeZone,
        Instant deadline,
        Map<String, String> metadata) implements AskflowMessage {

    public static PromptRequest of(String requestId, String conversationId, String prompt) {
        return new PromptRequest(CURRENT_SCHEMA_VERSION, requestId, null, conversationId, null, prompt, null, null, null, null);
    }
}
