-- Tables of the knowledge library, shared by gateway, context-builder and tool-runner; every row
-- belongs to a tenant and every query names it.

-- A user's own settings; today the time zone of the date line.
CREATE TABLE knowledge_user_profiles (
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    time_zone  TEXT,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);

-- Long-term memory: facts the model saved with the remember tool.
CREATE TABLE knowledge_memories (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX knowledge_memories_user ON knowledge_memories (tenant_id, user_id, created_at);

-- Uploaded documents and their chunks, indexed for full-text search.
CREATE TABLE knowledge_documents (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    title        TEXT NOT NULL,
    content_type TEXT NOT NULL,
    chars        INTEGER NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX knowledge_documents_tenant ON knowledge_documents (tenant_id, user_id);

CREATE TABLE knowledge_chunks (
    id          BIGSERIAL PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES knowledge_documents (id) ON DELETE CASCADE,
    tenant_id   TEXT NOT NULL,
    ordinal     INTEGER NOT NULL,
    text        TEXT NOT NULL,
    tsv         TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', text)) STORED
);
CREATE INDEX knowledge_chunks_tsv ON knowledge_chunks USING GIN (tsv);
CREATE INDEX knowledge_chunks_document ON knowledge_chunks (document_id, ordinal);
CREATE INDEX knowledge_chunks_tenant ON knowledge_chunks (tenant_id);
