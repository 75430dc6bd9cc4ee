-- Who submitted each request, so that erasing a user finds every one of their submissions.
ALTER TABLE gateway_submissions ADD COLUMN user_id TEXT;
CREATE INDEX gateway_submissions_user ON gateway_submissions (tenant_id, user_id);
CREATE INDEX gateway_submissions_conversation ON gateway_submissions (tenant_id, conversation_id);
