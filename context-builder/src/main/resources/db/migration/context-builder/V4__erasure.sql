-- How far a conversation was erased: the last gateway sequence a deletion covered. The row outlives
-- the deletion (it holds no content, only these counters) so that a turn numbered before the
-- deletion that arrives after it is refused instead of resurrecting the conversation, and turns
-- numbered after it run without waiting for the erased ones.
ALTER TABLE cb_conversations ADD COLUMN erased_through BIGINT NOT NULL DEFAULT 0;

-- A turn a deletion erased while it was still queued: never sent to the model, so the deletion
-- answers it. Its row stays as a skeleton (no prompt, no user) naming the deletion record in
-- started_by, so a redelivered deletion answers it again instead of losing the answer.
ALTER TABLE cb_conversation_turns DROP CONSTRAINT cb_conversation_turns_status_check;
ALTER TABLE cb_conversation_turns ADD CONSTRAINT cb_conversation_turns_status_check
    CHECK (status IN ('queued', 'running', 'done', 'erased'));
