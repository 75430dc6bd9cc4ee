package io.askflow.message;

import java.time.Instant;

/**
 * What every message of a turn (its {@link Turn}, each {@link ModelCall}, its {@link Answer}) carries
 * so that any stage can correlate, route and expire it without knowing the others' payloads. On the
 * wire its fields are the message's own top-level fields ({@code @JsonUnwrapped}), as they were
 * before the envelope existed. A field added here is carried by every stage and copied by every
 * {@code toBuilder()} without another edit.
 *
 * <p>The trace context is not here: it travels in the {@code traceparent} record header, which the
 * runner reads and writes, so one turn has one trace whatever the payload says.
 *
 * @param jobId set when the turn is one document of a batch job; carried to the answer
 * @param deadline when work on the turn stops; an answer, the end of that work, carries none
 */
public record Envelope(int schemaVersion, String requestId, String tenantId, String conversationId, String userId,
        String jobId, Instant deadline) {

    public static Builder builder() {
        return new Builder().schemaVersion(AskflowMessage.CURRENT_SCHEMA_VERSION);
    }

    public Builder toBuilder() {
        return new Builder().schemaVersion(schemaVersion).requestId(requestId).tenantId(tenantId)
                .conversationId(conversationId).userId(userId).jobId(jobId).deadline(deadline);
    }

    public static final class Builder {
        private int schemaVersion;
        private String requestId;
        private String tenantId;
        private String conversationId;
        private String userId;
        private String jobId;
        private Instant deadline;

        private Builder() {
        }

        public Builder schemaVersion(int value) {
            schemaVersion = value;
            return this;
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

        public Builder jobId(String value) {
            jobId = value;
            return this;
        }

        public Builder deadline(Instant value) {
            deadline = value;
            return this;
        }

        public Envelope build() {
            return new Envelope(schemaVersion, requestId, tenantId, conversationId, userId, jobId, deadline);
        }
    }
}
