-- A turn the gateway publishes itself (an HTTP submission, a batch job's document) is kept here from
-- its claim until its publish is confirmed, so a gateway killed in between loses nothing: the
-- outbox sweeper publishes what stayed pending. Turns from askflow.requests never use it: their
-- record is redelivered instead.
ALTER TABLE gateway_submissions ADD COLUMN pending_turn JSONB;
CREATE INDEX gateway_submissions_pending ON gateway_submissions (accepted_at) WHERE pending_turn IS NOT NULL;
