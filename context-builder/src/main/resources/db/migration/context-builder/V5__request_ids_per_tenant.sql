-- Request ids are scoped per tenant: two tenants may use the same request id, and each has its own
-- turn and its own messages under it.
ALTER TABLE cb_conversation_turns DROP CONSTRAINT cb_conversation_turns_pkey;
ALTER TABLE cb_conversation_turns ADD PRIMARY KEY (tenant_id, request_id);

ALTER TABLE cb_messages DROP CONSTRAINT cb_messages_request_id_role_key;
ALTER TABLE cb_messages ADD CONSTRAINT cb_messages_tenant_request_role_key UNIQUE (tenant_id, request_id, role);
