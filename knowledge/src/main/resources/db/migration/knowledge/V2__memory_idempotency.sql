-- The turn whose remember tool stored a memory. A tool-call record handled twice (a tool-runner
-- that crashed before committing its output), or a model called again for the same turn that asks
-- to remember the same fact under a new tool-call id, stores one memory: the same fact in the same
-- turn is the same memory. NULL for memories not written by a turn.
ALTER TABLE knowledge_memories ADD COLUMN request_id TEXT;
CREATE UNIQUE INDEX knowledge_memories_once_per_turn
    ON knowledge_memories (tenant_id, user_id, request_id, md5(text)) WHERE request_id IS NOT NULL;
