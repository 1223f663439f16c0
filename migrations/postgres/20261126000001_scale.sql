-- Sized for a million orders (DESIGN §7): lists, badge counts and search
-- read a bounded number of rows whatever the size of the table.

-- Lists read each status newest first from an index ending with the order
-- id, so that a page (and the keyset cursor after it) is a range of index
-- entries. The last two serve the product filter.
DROP INDEX orders_company_status;
DROP INDEX orders_placed_by_status;
DROP INDEX orders_status_created;
CREATE INDEX orders_company_status ON orders (company_id, status, created_at, id);
CREATE INDEX orders_placed_by_status ON orders (placed_by, status, created_at, id);
CREATE INDEX orders_status_created ON orders (status, created_at, id);
CREATE INDEX orders_product_status ON orders (product_id, status, created_at, id);
CREATE INDEX orders_company_product_status ON orders (company_id, product_id, status, created_at, id);

-- Badge counts per status for every scope a user can have: everything
-- (staff), a company (customer administrators) and the orders one user
-- placed. Kept by the trigger below, in the same transaction as the change.
-- Each database session writes its own `shard` of rows, so that concurrent
-- writers do not queue on one row per status; readers add the shards up.
CREATE TABLE order_counts (
    scope TEXT NOT NULL,
    scope_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    shard BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (scope, scope_id, status, shard)
);

INSERT INTO order_counts (scope, scope_id, status, shard, n)
SELECT 'all', 0, status, 0, COUNT(*) FROM orders GROUP BY status;
INSERT INTO order_counts (scope, scope_id, status, shard, n)
SELECT 'company', company_id, status, 0, COUNT(*) FROM orders GROUP BY company_id, status;
INSERT INTO order_counts (scope, scope_id, status, shard, n)
SELECT 'placer', placed_by, status, 0, COUNT(*) FROM orders GROUP BY placed_by, status;

CREATE FUNCTION order_counts_add(company BIGINT, placer BIGINT, order_status TEXT, delta BIGINT)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO order_counts (scope, scope_id, status, shard, n) VALUES
        ('all', 0, order_status, pg_backend_pid() % 32, delta),
        ('company', company, order_status, pg_backend_pid() % 32, delta),
        ('placer', placer, order_status, pg_backend_pid() % 32, delta)
    ON CONFLICT (scope, scope_id, status, shard) DO UPDATE SET n = order_counts.n + EXCLUDED.n
$$;

-- The rows of the two statuses are written in the order of their names, so
-- that two sessions sharing a shard never lock them in opposite orders.
CREATE FUNCTION orders_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM order_counts_add(NEW.company_id, NEW.placed_by, NEW.status, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM order_counts_add(OLD.company_id, OLD.placed_by, OLD.status, -1);
    ELSIF OLD.status <= NEW.status THEN
        PERFORM order_counts_add(OLD.company_id, OLD.placed_by, OLD.status, -1);
        PERFORM order_counts_add(NEW.company_id, NEW.placed_by, NEW.status, 1);
    ELSE
        PERFORM order_counts_add(NEW.company_id, NEW.placed_by, NEW.status, 1);
        PERFORM order_counts_add(OLD.company_id, OLD.placed_by, OLD.status, -1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER orders_count_insert_delete AFTER INSERT OR DELETE ON orders
FOR EACH ROW EXECUTE FUNCTION orders_count();
CREATE TRIGGER orders_count_update AFTER UPDATE OF status, company_id, placed_by ON orders
FOR EACH ROW
WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.company_id IS DISTINCT FROM NEW.company_id
      OR OLD.placed_by IS DISTINCT FROM NEW.placed_by)
EXECUTE FUNCTION orders_count();

-- Search by number or title: a case-insensitive substring match (LIKE on
-- the lower-cased text), answered by trigram indexes instead of a scan of
-- every title.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX orders_number_trigrams ON orders USING gin (LOWER(number) gin_trgm_ops);
CREATE INDEX orders_title_trigrams ON orders USING gin (LOWER(title) gin_trgm_ops);

-- How many orders hold each common trigram, for searches to ask the
-- indexes for the rarest trigrams of their text (services/search.rs).
-- Estimated from a sample of orders by housekeeping.
CREATE TABLE search_trigram_docs (
    trigram TEXT PRIMARY KEY,
    docs BIGINT NOT NULL
);
