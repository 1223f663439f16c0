-- The service-level clock of each order (app/src/rules/sla.rs), in Julian
-- days: the due date without a pause in progress (2147483647 before the
-- order is submitted, so that it sorts last), the business days of ended
-- pauses, and the days the pause in progress began and the clock stopped.
-- Orders that were submitted before this migration get their clock from
-- their timeline when the server starts (services/sla.rs, backfill).
ALTER TABLE orders ADD COLUMN sla_due_day BIGINT NOT NULL DEFAULT 2147483647;
ALTER TABLE orders ADD COLUMN sla_paused_days BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN sla_paused_since BIGINT;
ALTER TABLE orders ADD COLUMN sla_stopped_on BIGINT;

-- Lists in order of urgency read each status from its own index range by
-- due date, as they read it by date placed.
CREATE INDEX orders_status_due ON orders (status, sla_due_day, id);
CREATE INDEX orders_company_status_due ON orders (company_id, status, sla_due_day, id);
CREATE INDEX orders_placed_by_status_due ON orders (placed_by, status, sla_due_day, id);
