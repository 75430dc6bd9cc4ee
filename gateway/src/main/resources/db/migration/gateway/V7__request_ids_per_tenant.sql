-- Request ids are scoped per tenant: a tenant can neither take nor block another tenant's id, and
-- each tenant's answer is found only under its own tenant.
ALTER TABLE gateway_submissions DROP CONSTRAINT gateway_submissions_pkey;
ALTER TABLE gateway_submissions ADD PRIMARY KEY (tenant_id, request_id);

-- A digest of what was submitted under the id, so that a resubmission with different content is
-- refused with duplicate_request while an identical one stays a no-op. NULL for submissions
-- accepted before this column existed: those count as identical.
ALTER TABLE gateway_submissions ADD COLUMN content_sha256 TEXT;

-- Answers without a tenant (rejections of requests too broken to name one) can be asked for by nobody.
DELETE FROM gateway_answers WHERE tenant_id IS NULL;
ALTER TABLE gateway_answers ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE gateway_answers DROP CONSTRAINT gateway_answers_pkey;
ALTER TABLE gateway_answers ADD PRIMARY KEY (tenant_id, request_id);
