-- Batch jobs: a set of a tenant's documents and one instruction; each document is its own turn,
-- whose request id is recorded here so its answer can be counted once.
CREATE TABLE gateway_jobs (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    instruction     TEXT NOT NULL,
    response_format JSONB,
    total           INTEGER NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE gateway_job_items (
    request_id  TEXT PRIMARY KEY,
    job_id      TEXT NOT NULL REFERENCES gateway_jobs (id) ON DELETE CASCADE,
    document_id TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX gateway_job_items_job ON gateway_job_items (job_id, status);
