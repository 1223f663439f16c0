-- pgbench script for scripts/bench: the write transaction of a staff cancel
-- on PostgreSQL without the portal around it, with the statements the
-- portal runs (the order read first, then the conditional status write,
-- the timeline event, the refund of a paid order, the customer's
-- notification, and the live events of both announced by pg_notify), on a
-- random order of the ids the bench loaded into bench_ids.
\set n random(1, :ids)
-- pgbench puts a variable's text in place as it is: text values are read
-- as quoted literals.
SELECT o.id AS order_id, quote_literal(o.status) AS status, o.version AS version, o.placed_by AS placed_by,
       quote_literal(o.number || ' is now Cancelled.') AS message, o.company_id AS company_id, o.paid_cents AS paid_cents,
       c.has_account AS has_account, c.enable_cancel_order AS cancel_flag, p.turnaround_days AS days
  FROM orders o JOIN companies c ON c.id = o.company_id JOIN products p ON p.id = o.product_id
  WHERE o.id = (SELECT id FROM bench_ids WHERE n = :n) \gset
BEGIN;
UPDATE orders SET status = 'cancelled', updated_at = 1, version = version + 1
  WHERE id = :order_id AND version = :version;
INSERT INTO order_events (order_id, actor_id, kind, from_status, to_status, reason, created_at)
  VALUES (:order_id, 1, 'status', :status, 'cancelled', NULL, 1);
INSERT INTO refunds (order_id, company_id, kind, amount_cents, state, created_at)
  SELECT :order_id, :company_id, CASE WHEN :has_account = 1 THEN 'account_credit' ELSE 'pending_refund' END,
         :paid_cents, CASE WHEN :has_account = 1 THEN 'credited' ELSE 'pending' END, 1
  WHERE :paid_cents > 0
  ON CONFLICT (order_id) DO NOTHING;
INSERT INTO notifications (recipient_id, order_id, kind, message, created_at)
  SELECT u.id, :order_id, 'cancelled', :message, 1
    FROM users u WHERE u.disabled = 0 AND u.id = :placed_by
  RETURNING recipient_id;
-- The live events of the change and of the notification, announced by
-- pg_notify: one statement here, two in the portal, so the bare
-- transaction is if anything the cheaper.
WITH ev AS (
  INSERT INTO live_events (kind, order_id, company_id, placed_by, recipient_id, change, number, status, internal, created_at)
  SELECT 'order', o.id, o.company_id, o.placed_by, NULL, 'status', o.number, o.status, 0, 1
    FROM orders o WHERE o.id = :order_id
  UNION ALL
  SELECT 'notification', :order_id, NULL, NULL, :placed_by, 'cancelled', NULL, NULL, 0, 1
  RETURNING id, kind, order_id, company_id, placed_by, recipient_id, change, number, status, internal, created_at
), sent AS (
  SELECT pg_notify('portal_live', json_build_object('id', id, 'kind', kind, 'order_id', order_id,
    'company_id', company_id, 'placed_by', placed_by, 'recipient_id', recipient_id, 'change', change,
    'number', number, 'status', status, 'internal', internal <> 0, 'created_at', created_at)::text) FROM ev
) SELECT COUNT(*) FROM sent;
COMMIT;
