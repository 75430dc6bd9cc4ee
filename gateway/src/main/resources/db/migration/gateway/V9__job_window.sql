-- A batch job's turns are claimed together with the job but released into askflow.turns a window
-- at a time (decision 49): a 'queued' item waits here, its turn held in gateway_submissions.turn,
-- until the release moves it to 'pending' (in flight) and hands its turn to the outbox. position
-- keeps the documents' order; rows from before this migration have none and are all released.
ALTER TABLE gateway_job_items DROP CONSTRAINT gateway_job_items_status_check;
ALTER TABLE gateway_job_items ADD CONSTRAINT gateway_job_items_status_check
    CHECK (status IN ('queued', 'pending', 'done', 'failed'));
ALTER TABLE gateway_job_items ADD COLUMN position INTEGER;
CREATE INDEX gateway_job_items_queued ON gateway_job_items (job_id, position) WHERE status = 'queued';

-- When a held turn was handed to the outbox: the sweeper's age counts from its release, not from
-- its claim, which for a job's later documents is long before.
ALTER TABLE gateway_submissions ADD COLUMN released_at TIMESTAMPTZ;
