-- Sized for a million orders (DESIGN §7): lists, badge counts and search
-- read a bounded number of rows whatever the size of the table.

-- Lists read each status newest first from an index that ends with the
-- order id (every SQLite index ends with the rowid), so that a page is a
-- range of index entries. These two serve the product filter.
CREATE INDEX orders_product_status ON orders (product_id, status, created_at);
CREATE INDEX orders_company_product_status ON orders (company_id, product_id, status, created_at);

-- Badge counts per status for every scope a user can have: everything
-- (staff), a company (customer administrators) and the orders one user
-- placed. Kept by the triggers below, in the same transaction as the change.
-- `shard` spreads PostgreSQL's concurrent writers over several rows; SQLite
-- has one writer at a time and uses shard 0.
CREATE TABLE order_counts (
    scope TEXT NOT NULL,
    scope_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    shard BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (scope, scope_id, status, shard)
) WITHOUT ROWID;

INSERT INTO order_counts (scope, scope_id, status, shard, n)
SELECT 'all', 0, status, 0, COUNT(*) FROM orders GROUP BY status;
INSERT INTO order_counts (scope, scope_id, status, shard, n)
SELECT 'company', company_id, status, 0, COUNT(*) FROM orders GROUP BY company_id, status;
INSERT INTO order_counts (scope, scope_id, status, shard, n)
SELECT 'placer', placed_by, status, 0, COUNT(*) FROM orders GROUP BY placed_by, status;

CREATE TRIGGER orders_count_insert AFTER INSERT ON orders BEGIN
    INSERT INTO order_counts (scope, scope_id, status, shard, n) VALUES
        ('all', 0, NEW.status, 0, 1),
        ('company', NEW.company_id, NEW.status, 0, 1),
        ('placer', NEW.placed_by, NEW.status, 0, 1)
    ON CONFLICT (scope, scope_id, status, shard) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER orders_count_delete AFTER DELETE ON orders BEGIN
    INSERT INTO order_counts (scope, scope_id, status, shard, n) VALUES
        ('all', 0, OLD.status, 0, -1),
        ('company', OLD.company_id, OLD.status, 0, -1),
        ('placer', OLD.placed_by, OLD.status, 0, -1)
    ON CONFLICT (scope, scope_id, status, shard) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER orders_count_update AFTER UPDATE OF status, company_id, placed_by ON orders
WHEN OLD.status IS NOT NEW.status OR OLD.company_id IS NOT NEW.company_id
    OR OLD.placed_by IS NOT NEW.placed_by
BEGIN
    INSERT INTO order_counts (scope, scope_id, status, shard, n) VALUES
        ('all', 0, OLD.status, 0, -1),
        ('company', OLD.company_id, OLD.status, 0, -1),
        ('placer', OLD.placed_by, OLD.status, 0, -1),
        ('all', 0, NEW.status, 0, 1),
        ('company', NEW.company_id, NEW.status, 0, 1),
        ('placer', NEW.placed_by, NEW.status, 0, 1)
    ON CONFLICT (scope, scope_id, status, shard) DO UPDATE SET n = n + excluded.n;
END;

-- Search by number or title: a case-insensitive substring match, answered
-- by a trigram index instead of a scan of every title.
CREATE VIRTUAL TABLE orders_search USING fts5 (
    number, title, content = 'orders', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO orders_search (orders_search) VALUES ('rebuild');

CREATE TRIGGER orders_search_insert AFTER INSERT ON orders BEGIN
    INSERT INTO orders_search (rowid, number, title) VALUES (NEW.id, NEW.number, NEW.title);
END;

CREATE TRIGGER orders_search_delete AFTER DELETE ON orders BEGIN
    INSERT INTO orders_search (orders_search, rowid, number, title)
    VALUES ('delete', OLD.id, OLD.number, OLD.title);
END;

CREATE TRIGGER orders_search_update AFTER UPDATE OF number, title ON orders BEGIN
    INSERT INTO orders_search (orders_search, rowid, number, title)
    VALUES ('delete', OLD.id, OLD.number, OLD.title);
    INSERT INTO orders_search (rowid, number, title) VALUES (NEW.id, NEW.number, NEW.title);
END;

-- How many orders hold each common trigram, for searches to ask the index
-- for the rarest trigrams of their text (services/search.rs). Counted
-- from the index's vocabulary by housekeeping.
CREATE VIRTUAL TABLE orders_search_vocab USING fts5vocab (orders_search, 'row');
CREATE TABLE search_trigram_docs (
    trigram TEXT PRIMARY KEY,
    docs BIGINT NOT NULL
) WITHOUT ROWID;
