-- A job's done and failed counts, kept on the job row by a trigger on its items' status: counting
-- the items on every answer read all of them (5,000 rows, about 10 ms on a busy machine, for each
-- of the job's 5,000 answers; decision 54). A trigger, not the answer path alone, so every writer
-- of an item's status (the answer feed, the release's erased items, a gateway of the version
-- before this one still running beside a new one) keeps the counts.
ALTER TABLE gateway_jobs ADD COLUMN done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gateway_jobs ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;

CREATE FUNCTION gateway_job_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE gateway_jobs SET
        done = done + (NEW.status = 'done')::int - (OLD.status = 'done')::int,
        failed = failed + (NEW.status = 'failed')::int - (OLD.status = 'failed')::int
    WHERE id = NEW.job_id;
    RETURN NULL;
END $$;

CREATE TRIGGER gateway_job_counts AFTER UPDATE OF status ON gateway_job_items FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          AND (OLD.status IN ('done', 'failed') OR NEW.status IN ('done', 'failed')))
    EXECUTE FUNCTION gateway_job_counts();

UPDATE gateway_jobs j SET done = c.done, failed = c.failed
FROM (SELECT job_id, count(*) FILTER (WHERE status = 'done') AS done,
             count(*) FILTER (WHERE status = 'failed') AS failed
      FROM gateway_job_items GROUP BY job_id) c
WHERE c.job_id = j.id;
