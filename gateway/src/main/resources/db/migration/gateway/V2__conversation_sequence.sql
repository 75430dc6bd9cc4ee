-- Each accepted turn gets its place in its conversation (1, 2, ...), so the context-builder can run
-- a conversation's turns in the order they were accepted, however Kafka interleaves them.
CREATE TABLE gateway_conversations (
    tenant_id       TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    last_sequence   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id)
);

ALTER TABLE gateway_submissions ADD COLUMN sequence BIGINT NOT NULL DEFAULT 0;
