-- The numbered turn each claim published, so a redelivered request record republishes exactly that
-- turn, even if the request would no longer pass validation (its deadline passed meanwhile, its
-- tenant was removed): otherwise its sequence number would stay unused and its conversation stuck.
ALTER TABLE gateway_submissions ADD COLUMN turn JSONB;
CREATE INDEX gateway_submissions_source ON gateway_submissions (source);
