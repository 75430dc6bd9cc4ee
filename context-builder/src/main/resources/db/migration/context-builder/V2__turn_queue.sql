-- One turn at a time per conversation. A conversation's row is the lock (SELECT ... FOR UPDATE) that
-- stops two context-builder instances from starting two of its turns; next_sequence is the gateway
-- sequence the conversation expects to start next, so a turn that overtook an earlier one on Kafka
-- waits for it.
CREATE TABLE cb_conversations (
    tenant_id       TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    next_sequence   BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, conversation_id)
);

-- Every turn the context-builder has received: queued (waiting for the conversation), running (its
-- model call is published, no answer yet) or done. started_by names the record whose handling
-- started the turn ('turn:<id>' or 'answer:<id>'), so a redelivery of that record publishes the same
-- model call again instead of losing it.
CREATE TABLE cb_conversation_turns (
    request_id      TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    sequence        BIGINT NOT NULL,
    arrival         BIGSERIAL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done')),
    started_by      TEXT,
    turn            JSONB NOT NULL,
    queued_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX cb_conversation_turns_waiting ON cb_conversation_turns (tenant_id, conversation_id, status, sequence, arrival);
