package io.askflow.message;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A prompt as a backend submits it, on {@code askflow.requests} or over HTTP. Every field may be
 * missing or wrong here: the gateway validates it and answers a bad one with a coded error, so this
 * record deliberately has no invariants.
 *
 * @param conversationId optional; a new conversation is started when absent
 * @param timeZone optional IANA zone for the date line, e.g. {@code Europe/Berlin}
 * @param deadline optional absolute deadline; the configured default applies when absent
 * @param history optional earlier messages, oldest first, used instead of the conversation's stored
 *     history (which is then not read); absent: askflow's stored history
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
        Map<String, String> metadata,
        List<HistoryMessage> history) {

    /** A request without supplied history: the conversation's stored history is used. */
    public PromptRequest(int schemaVersion, String requestId, String tenantId, String conversationId, String userId,
            String prompt, String model, String timeZone, Instant deadline, Map<String, String> metadata) {
        this(schemaVersion, requestId, tenantId, conversationId, userId, prompt, model, timeZone, deadline, metadata, null);
    }

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
        private List<HistoryMessage> history;

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

        public Builder history(List<HistoryMessage> value) {
            history = value == null ? null : List.copyOf(value);
            return this;
        }

        public PromptRequest build() {
            return new PromptRequest(AskflowMessage.CURRENT_SCHEMA_VERSION, requestId, tenantId, conversationId, userId, prompt, model,
                    timeZone, deadline, metadata, history);
        }
    }
}
