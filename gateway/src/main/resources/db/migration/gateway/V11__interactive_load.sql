-- When any gateway last admitted an interactive turn (decision 55): every gateway's job release
-- shrinks the jobs' windows while it is recent, not only the gateway that admitted the turn. One
-- row, written at most once a second per gateway; PostgreSQL's clock, so gateways' clocks need not agree.
CREATE TABLE gateway_interactive_load (
    id            BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    last_admitted TIMESTAMPTZ NOT NULL
);
INSERT INTO gateway_interactive_load (last_admitted) VALUES ('-infinity');
