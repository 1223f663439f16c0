-- The dashboard's figures (services/stats.rs) from counters that the
-- badge counters' trigger keeps in the same transaction as each change:
-- orders per status and day placed (open orders by age, orders placed per
-- week), and complete orders per day completed, product and whole days
-- taken (orders completed per week, median days per product). Days are
-- whole days since 1970-01-01, UTC. A complete order's last change is its
-- completion (complete is final). Each session writes its own `shard`, as
-- in `order_counts`.
CREATE TABLE order_day_counts (
    status TEXT NOT NULL,
    day BIGINT NOT NULL,
    shard BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (status, day, shard)
);

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
);

INSERT INTO order_completion_counts (day, product_id, days_taken, shard, n)
SELECT updated_at / 86400000, product_id, (updated_at - created_at) / 86400000, 0, COUNT(*)
FROM orders WHERE status = 'complete'
GROUP BY updated_at / 86400000, product_id, (updated_at - created_at) / 86400000;

CREATE FUNCTION order_stats_add(order_status TEXT, created BIGINT, updated BIGINT, product BIGINT, delta BIGINT)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO order_day_counts (status, day, shard, n)
    VALUES (order_status, created / 86400000, pg_backend_pid() % 32, delta)
    ON CONFLICT (status, day, shard) DO UPDATE SET n = order_day_counts.n + EXCLUDED.n;
    INSERT INTO order_completion_counts (day, product_id, days_taken, shard, n)
    SELECT updated / 86400000, product, (updated - created) / 86400000, pg_backend_pid() % 32, delta
    WHERE order_status = 'complete'
    ON CONFLICT (day, product_id, days_taken, shard)
    DO UPDATE SET n = order_completion_counts.n + EXCLUDED.n;
$$;

-- The badge counters' trigger, now keeping these too, in the same order
-- of status names (two sessions sharing a shard never lock rows in
-- opposite orders). Its update trigger fires on a change of status,
-- company or placer; orders are never moved to another day or product.
CREATE OR REPLACE FUNCTION orders_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM order_counts_add(NEW.company_id, NEW.placed_by, NEW.status, 1);
        PERFORM order_stats_add(NEW.status, NEW.created_at, NEW.updated_at, NEW.product_id, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM order_counts_add(OLD.company_id, OLD.placed_by, OLD.status, -1);
        PERFORM order_stats_add(OLD.status, OLD.created_at, OLD.updated_at, OLD.product_id, -1);
    ELSIF OLD.status <= NEW.status THEN
        PERFORM order_counts_add(OLD.company_id, OLD.placed_by, OLD.status, -1);
        PERFORM order_counts_add(NEW.company_id, NEW.placed_by, NEW.status, 1);
        PERFORM order_stats_add(OLD.status, OLD.created_at, OLD.updated_at, OLD.product_id, -1);
        PERFORM order_stats_add(NEW.status, NEW.created_at, NEW.updated_at, NEW.product_id, 1);
    ELSE
        PERFORM order_counts_add(NEW.company_id, NEW.placed_by, NEW.status, 1);
        PERFORM order_counts_add(OLD.company_id, OLD.placed_by, OLD.status, -1);
        PERFORM order_stats_add(NEW.status, NEW.created_at, NEW.updated_at, NEW.product_id, 1);
        PERFORM order_stats_add(OLD.status, OLD.created_at, OLD.updated_at, OLD.product_id, -1);
    END IF;
    RETURN NULL;
END
$$;

-- The reasons of the orders waiting for the customer (only they have one).
CREATE INDEX orders_hold_reasons ON orders (status, hold_reason) WHERE hold_reason IS NOT NULL;
