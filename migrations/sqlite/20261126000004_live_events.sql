-- What the live event stream (GET /ordering/api/events) sends, kept so
-- that a client that reconnects can be sent what it missed: each change to
-- an order, with the order's scope, number and status after the change,
-- and each notification, with its recipient. Written in the transaction of
-- the change itself; pruned after a day by housekeeping.
CREATE TABLE live_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    order_id BIGINT,
    company_id BIGINT,
    placed_by BIGINT,
    recipient_id BIGINT,
    change TEXT NOT NULL,
    number TEXT,
    status TEXT,
    -- An internal note: only users who may read internal notes hear of it.
    internal BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
-- A replay reads the events after an id within the caller's scope.
CREATE INDEX live_events_company ON live_events (company_id, id);
CREATE INDEX live_events_placer ON live_events (placed_by, id);
CREATE INDEX live_events_recipient ON live_events (recipient_id, id);
CREATE INDEX live_events_created ON live_events (created_at);
