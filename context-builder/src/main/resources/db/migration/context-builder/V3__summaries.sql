-- The latest summary of the part of a conversation that no longer fits the token budget. It covers
-- every message with id <= covers_through_id, so the next turn reuses it, and extends it only with
-- messages that have newly fallen out of the budget.
CREATE TABLE cb_summaries (
    tenant_id         TEXT NOT NULL,
    conversation_id   TEXT NOT NULL,
    covers_through_id BIGINT NOT NULL,
    summary           TEXT NOT NULL,
    model             TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, conversation_id)
);
