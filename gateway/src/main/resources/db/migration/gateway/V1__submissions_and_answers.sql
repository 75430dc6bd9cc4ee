-- Every request id the gateway has accepted, and which record brought it: a redelivery of the same
-- record is processed again (its turn may not have been published), a different record with a
-- known request id is a duplicate submission and is dropped.
CREATE TABLE gateway_submissions (
    request_id      TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    source          TEXT NOT NULL,
    accepted_at     TIMESTAMPTZ NOT NULL
);

-- The answers the HTTP API serves by request id.
CREATE TABLE gateway_answers (
    request_id  TEXT PRIMARY KEY,
    tenant_id   TEXT,
    answer      JSONB NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
