-- Tokens each tenant's turns spent, per UTC day and model, for GET /v1/usage and monthly budgets.
-- Written by the context-builder when it finishes a turn (in the transaction that marks the turn
-- done), from the usage its answer carries; read by the gateway and by the context-builder's
-- budget check. input_tokens include cached_input_tokens, output_tokens include reasoning_tokens.
CREATE TABLE knowledge_usage_daily (
    tenant_id           TEXT NOT NULL,
    day                 DATE NOT NULL,
    model               TEXT NOT NULL,
    input_tokens        BIGINT NOT NULL DEFAULT 0,
    cached_input_tokens BIGINT NOT NULL DEFAULT 0,
    output_tokens       BIGINT NOT NULL DEFAULT 0,
    reasoning_tokens    BIGINT NOT NULL DEFAULT 0,
    calls               BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, model)
);

-- The turns already counted: an answer handled twice (redelivered after a crash) is counted once.
CREATE TABLE knowledge_usage_turns (
    tenant_id   TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, request_id)
);
