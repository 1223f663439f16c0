-- The documents staff usually ask for, per product, in the order
-- administrators list them; staff pick from them when they hold an order.
CREATE TABLE product_documents (
    product_id BIGINT NOT NULL REFERENCES products (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (product_id, position)
);

-- What the customer must provide before resubmitting an order put on hold
-- or rejected. A new hold replaces the list; each item is answered by the
-- file uploaded for it.
CREATE TABLE checklist_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    position BIGINT NOT NULL,
    item TEXT NOT NULL,
    attachment_id BIGINT REFERENCES attachments (id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX checklist_items_order ON checklist_items (order_id, position);

-- Every batch action (cancel all, resubmit selected, staff bulk moves) and
-- its outcome per order, kept for the people who made it and their
-- company. `company_id` is the actor's company (NULL for FTS staff).
CREATE TABLE batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id BIGINT NOT NULL REFERENCES users (id),
    company_id BIGINT REFERENCES companies (id),
    action TEXT NOT NULL,
    to_status TEXT,
    succeeded BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX batches_actor ON batches (actor_id, id);
CREATE INDEX batches_company ON batches (company_id, id);

CREATE TABLE batch_items (
    batch_id BIGINT NOT NULL REFERENCES batches (id),
    position BIGINT NOT NULL,
    order_id BIGINT NOT NULL,
    ok BIGINT NOT NULL,
    status TEXT,
    error_code TEXT,
    error_message TEXT,
    PRIMARY KEY (batch_id, position)
);

-- Staff administrators of databases made before this migration may edit
-- the product lists too (new databases get it with the group's defaults).
INSERT INTO group_permissions (group_code, permission)
SELECT code, 'admin.products' FROM user_groups WHERE code = 'staff_admin'
ON CONFLICT DO NOTHING;
