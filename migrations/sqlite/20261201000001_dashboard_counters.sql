-- The dashboard read about 26,000 entries of the held orders' reasons index
-- and 12,000 day counters of completions per request at a million orders
-- (12 ms of SQLite's time): the reasons now have counters of their own, and
-- completions are counted per week instead of per day.
--
-- Weeks are Monday to Sunday, UTC, numbered (day + 3) / 7 with days since
-- 1970-01-01 (a Thursday). `shard` is PostgreSQL's; SQLite writes shard 0.

-- Orders that have a hold reason, per status and reason. A row whose count
-- reaches zero is deleted, so the table holds the reasons of the orders
-- that have one now, however many were ever typed.
CREATE TABLE order_reason_counts (
    status TEXT NOT NULL,
    hold_reason TEXT NOT NULL,
    shard BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (status, hold_reason, shard)
) WITHOUT ROWID;

INSERT INTO order_reason_counts (status, hold_reason, shard, n)
SELECT status, hold_reason, 0, COUNT(*) FROM orders
WHERE hold_reason IS NOT NULL
GROUP BY status, hold_reason;

CREATE TRIGGER orders_reason_insert AFTER INSERT ON orders
WHEN NEW.hold_reason IS NOT NULL
BEGIN
    INSERT INTO order_reason_counts (status, hold_reason, shard, n)
    VALUES (NEW.status, NEW.hold_reason, 0, 1)
    ON CONFLICT (status, hold_reason, shard) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER orders_reason_delete AFTER DELETE ON orders
WHEN OLD.hold_reason IS NOT NULL
BEGIN
    UPDATE order_reason_counts SET n = n - 1
    WHERE status = OLD.status AND hold_reason = OLD.hold_reason AND shard = 0;
    DELETE FROM order_reason_counts
    WHERE status = OLD.status AND hold_reason = OLD.hold_reason AND shard = 0 AND n = 0;
END;

CREATE TRIGGER orders_reason_update AFTER UPDATE OF status, hold_reason ON orders
WHEN OLD.status IS NOT NEW.status OR OLD.hold_reason IS NOT NEW.hold_reason
BEGIN
    UPDATE order_reason_counts SET n = n - 1
    WHERE OLD.hold_reason IS NOT NULL
      AND status = OLD.status AND hold_reason = OLD.hold_reason AND shard = 0;
    DELETE FROM order_reason_counts
    WHERE OLD.hold_reason IS NOT NULL
      AND status = OLD.status AND hold_reason = OLD.hold_reason AND shard = 0 AND n = 0;
    INSERT INTO order_reason_counts (status, hold_reason, shard, n)
    SELECT NEW.status, NEW.hold_reason, 0, 1 WHERE NEW.hold_reason IS NOT NULL
    ON CONFLICT (status, hold_reason, shard) DO UPDATE SET n = n + excluded.n;
END;

-- Complete orders per week completed, product and whole days taken.
CREATE TABLE order_completion_week_counts (
    week BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    days_taken BIGINT NOT NULL,
    shard BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (week, product_id, days_taken, shard)
) WITHOUT ROWID;

INSERT INTO order_completion_week_counts (week, product_id, days_taken, shard, n)
SELECT (updated_at / 86400000 + 3) / 7, product_id, (updated_at - created_at) / 86400000, 0, COUNT(*)
FROM orders WHERE status = 'complete'
GROUP BY (updated_at / 86400000 + 3) / 7, product_id, (updated_at - created_at) / 86400000;

DROP TRIGGER orders_stats_insert;
DROP TRIGGER orders_stats_delete;
DROP TRIGGER orders_stats_update;
DROP TABLE order_completion_counts;

CREATE TRIGGER orders_stats_insert AFTER INSERT ON orders BEGIN
    INSERT INTO order_day_counts (status, day, shard, n)
    VALUES (NEW.status, NEW.created_at / 86400000, 0, 1)
    ON CONFLICT (status, day, shard) DO UPDATE SET n = n + excluded.n;
    INSERT INTO order_completion_week_counts (week, product_id, days_taken, shard, n)
    SELECT (NEW.updated_at / 86400000 + 3) / 7, NEW.product_id, (NEW.updated_at - NEW.created_at) / 86400000, 0, 1
    WHERE NEW.status = 'complete'
    ON CONFLICT (week, product_id, days_taken, shard) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER orders_stats_delete AFTER DELETE ON orders BEGIN
    INSERT INTO order_day_counts (status, day, shard, n)
    VALUES (OLD.status, OLD.created_at / 86400000, 0, -1)
    ON CONFLICT (status, day, shard) DO UPDATE SET n = n + excluded.n;
    INSERT INTO order_completion_week_counts (week, product_id, days_taken, shard, n)
    SELECT (OLD.updated_at / 86400000 + 3) / 7, OLD.product_id, (OLD.updated_at - OLD.created_at) / 86400000, 0, -1
    WHERE OLD.status = 'complete'
    ON CONFLICT (week, product_id, days_taken, shard) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER orders_stats_update AFTER UPDATE OF status, created_at, product_id ON orders
WHEN OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at
    OR OLD.product_id IS NOT NEW.product_id
BEGIN
    INSERT INTO order_day_counts (status, day, shard, n) VALUES
        (OLD.status, OLD.created_at / 86400000, 0, -1),
        (NEW.status, NEW.created_at / 86400000, 0, 1)
    ON CONFLICT (status, day, shard) DO UPDATE SET n = n + excluded.n;
    INSERT INTO order_completion_week_counts (week, product_id, days_taken, shard, n)
    SELECT (OLD.updated_at / 86400000 + 3) / 7, OLD.product_id, (OLD.updated_at - OLD.created_at) / 86400000, 0, -1
    WHERE OLD.status = 'complete'
    ON CONFLICT (week, product_id, days_taken, shard) DO UPDATE SET n = n + excluded.n;
    INSERT INTO order_completion_week_counts (week, product_id, days_taken, shard, n)
    SELECT (NEW.updated_at / 86400000 + 3) / 7, NEW.product_id, (NEW.updated_at - NEW.created_at) / 86400000, 0, 1
    WHERE NEW.status = 'complete'
    ON CONFLICT (week, product_id, days_taken, shard) DO UPDATE SET n = n + excluded.n;
END;

-- The reasons' counters answer the dashboard now; no query reads this.
DROP INDEX orders_hold_reasons;
