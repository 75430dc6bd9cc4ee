-- Requests a deletion erased before their answer came: the answer still reaches a waiting caller but
-- is not stored (the answer book would otherwise bring an erased conversation's row back). Only ids,
-- no content; kept a week, longer than any turn can run. A new claim of the same id removes its row.
CREATE TABLE gateway_erased_requests (
    tenant_id  TEXT NOT NULL,
    request_id TEXT NOT NULL,
    erased_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, request_id)
);
CREATE INDEX gateway_erased_requests_age ON gateway_erased_requests (erased_at);
