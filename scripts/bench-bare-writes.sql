-- pgbench script for scripts/bench: the write transaction of a cancel on
-- PostgreSQL without the portal around it, on a random order of the ids
-- the bench loaded into bench_ids.
\set n random(1, :ids)
BEGIN;
UPDATE orders SET status = 'cancelled', version = version + 1, updated_at = updated_at + 1
  WHERE id = (SELECT id FROM bench_ids WHERE n = :n);
INSERT INTO order_events (order_id, actor_id, kind, from_status, to_status, created_at)
  SELECT id, 1, 'status', 'pending', 'cancelled', 0 FROM bench_ids WHERE n = :n;
COMMIT;
