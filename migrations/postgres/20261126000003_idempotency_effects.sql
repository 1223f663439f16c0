-- A claim's own token, so that only the request that claimed a key records
-- its effect or answer; and whether that request's change has committed,
-- written in the change's own transaction. A key whose change committed is
-- never run again, even when its answer was lost.
ALTER TABLE idempotency_keys ADD COLUMN claim_token TEXT NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys ADD COLUMN applied BIGINT NOT NULL DEFAULT 0;
