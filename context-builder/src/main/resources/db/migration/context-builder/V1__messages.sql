-- Conversation history: the user's prompt and the final answer of every turn. A turn's messages
-- are unique by (request_id, role), so a redelivered turn or answer is stored once.
CREATE TABLE cb_messages (
    id              BIGSERIAL PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    request_id      TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content         TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (request_id, role)
);

CREATE INDEX cb_messages_conversation ON cb_messages (tenant_id, conversation_id, id);
