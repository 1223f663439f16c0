-- The dashboard's figures (services/stats.rs) from counters that triggers
-- keep in the same transaction as each change, as `order_counts` keeps
-- the badges: orders per status and day placed (open orders by age, orders
-- placed per week), and complete orders per day completed, product and
-- whole days taken (orders completed per week, median days per product).
-- Days are whole days since 1970-01-01, UTC. A complete order's last
-- change is its completion (complete is final). `shard` is PostgreSQL's,
-- as in `order_counts`; SQLite writes shard 0.
CREATE TABLE order_day_counts (
    status TEXT NOT NULL,
    day BIGINT NOT NULL,
    shard BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (status, day, shard)
) WITHOUT ROWID;

INSERT INTO order_day_counts (status, day, shard, n)
SELECT status, created_at / 86400000, 0, COUNT(*) FROM orders
GROUP BY status, created_at / 86400000;

CREATE TABLE order_completion_counts (
    day BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    days_taken BIGINT NOT NULL,
    shard BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, product_id, days_taken, shard)
) WITHOUT ROWID;

INSERT INTO order_completion_counts (day, product_id, days_taken, shard, n)
SELECT updated_at / 86400000, product_id, (updated_at - created_at) / 86400000, 0, COUNT(*)
FROM orders WHERE status = 'complete'
GROUP BY updated_at / 86400000, product_id, (updated_at - created_at) / 86400000;

CREATE TRIGGER orders_stats_insert AFTER INSERT ON orders BEGIN
    INSERT INTO order_day_counts (status, day, shard, n)
    VALUES (NEW.status, NEW.created_at / 86400000, 0, 1)
    ON CONFLICT (status, day, shard) DO UPDATE SET n = n + excluded.n;
    INSERT INTO order_completion_counts (day, product_id, days_taken, shard, n)
    SELECT NEW.updated_at / 86400000, NEW.product_id, (NEW.updated_at - NEW.created_at) / 86400000, 0, 1
    WHERE NEW.status = 'complete'
    ON CONFLICT (day, product_id, days_taken, shard) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER orders_stats_delete AFTER DELETE ON orders BEGIN
    INSERT INTO order_day_counts (status, day, shard, n)
    VALUES (OLD.status, OLD.created_at / 86400000, 0, -1)
    ON CONFLICT (status, day, shard) DO UPDATE SET n = n + excluded.n;
    INSERT INTO order_completion_counts (day, product_id, days_taken, shard, n)
    SELECT OLD.updated_at / 86400000, OLD.product_id, (OLD.updated_at - OLD.created_at) / 86400000, 0, -1
    WHERE OLD.status = 'complete'
    ON CONFLICT (day, product_id, days_taken, shard) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER orders_stats_update AFTER UPDATE OF status, created_at, product_id ON orders
WHEN OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at
    OR OLD.product_id IS NOT NEW.product_id
BEGIN
    INSERT INTO order_day_counts (status, day, shard, n) VALUES
        (OLD.status, OLD.created_at / 86400000, 0, -1),
        (NEW.status, NEW.created_at / 86400000, 0, 1)
    ON CONFLICT (status, day, shard) DO UPDATE SET n = n + excluded.n;
    INSERT INTO order_completion_counts (day, product_id, days_taken, shard, n)
    SELECT OLD.updated_at / 86400000, OLD.product_id, (OLD.updated_at - OLD.created_at) / 86400000, 0, -1
    WHERE OLD.status = 'complete'
    ON CONFLICT (day, product_id, days_taken, shard) DO UPDATE SET n = n + excluded.n;
    INSERT INTO order_completion_counts (day, product_id, days_taken, shard, n)
    SELECT NEW.updated_at / 86400000, NEW.product_id, (NEW.updated_at - NEW.created_at) / 86400000, 0, 1
    WHERE NEW.status = 'complete'
    ON CONFLICT (day, product_id, days_taken, shard) DO UPDATE SET n = n + excluded.n;
END;

-- The reasons of the orders waiting for the customer (only they have one).
CREATE INDEX orders_hold_reasons ON orders (status, hold_reason) WHERE hold_reason IS NOT NULL;
