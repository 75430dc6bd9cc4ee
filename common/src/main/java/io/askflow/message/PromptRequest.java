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
        Map<String, String> metadata) {

    public static PromptRequest of(String requestId, String conversationId, String prompt) {
        return new PromptRequest(AskflowMessage.CURRENT_SCHEMA_VERSION, requestId, null, conversationId, null, prompt, null, null, null, null);
    }

    /** For backends: only the fields they set, at the current schema version. */
    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String requestId;
        private String tenantId;
        private String conversationId;
        private String userId;
        private String prompt;
        private String model;
        private String timeZone;
        private Instant deadline;
        private Map<String, String> metadata;

        private Builder() {
        }

        public Builder requestId(String value) {
            requestId = value;
            return this;
        }

        public Builder tenantId(String value) {
            tenantId = value;
            return this;
        }

        public Builder conversationId(String value) {
            conversationId = value;
            return this;
        }

        public Builder userId(String value) {
            userId = value;
            return this;
        }

        public Builder prompt(String value) {
            prompt = value;
            return this;
        }

        public Builder model(String value) {
            model = value;
            return this;
        }

        public Builder timeZone(String value) {
            timeZone = value;
            return this;
        }

        public Builder deadline(Instant value) {
            deadline = value;
            return this;
        }

        public Builder metadata(Map<String, String> value) {
            metadata = value == null ? null : Map.copyOf(value);
            return this;
        }

        public PromptRequest build() {
            return new PromptRequest(AskflowMessage.CURRENT_SCHEMA_VERSION, requestId, tenantId, conversationId, userId, prompt, model,
                    timeZone, deadline, metadata);
        }
    }
}
