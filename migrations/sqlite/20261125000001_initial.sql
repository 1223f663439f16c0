-- Timestamps are unix milliseconds (BIGINT) and booleans 0/1 (BIGINT): the
-- forms that sqlx's Any driver decodes on both engines.

CREATE TABLE companies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    has_account BIGINT NOT NULL DEFAULT 0,
    enable_cancel_order BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE user_groups (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE group_permissions (
    group_code TEXT NOT NULL REFERENCES user_groups (code),
    permission TEXT NOT NULL,
    PRIMARY KEY (group_code, permission)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    group_code TEXT NOT NULL REFERENCES user_groups (code),
    company_id BIGINT REFERENCES companies (id),
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    turnaround_days BIGINT NOT NULL
);

CREATE TABLE order_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    placed_by BIGINT NOT NULL REFERENCES users (id),
    group_id BIGINT REFERENCES order_groups (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    expected_date TEXT,
    hold_reason TEXT,
    paid_cents BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX orders_company_status ON orders (company_id, status, created_at);
CREATE INDEX orders_placed_by_status ON orders (placed_by, status, created_at);
CREATE INDEX orders_status_created ON orders (status, created_at);
CREATE INDEX orders_group ON orders (group_id);

CREATE TABLE notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    internal BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX notes_order ON notes (order_id, created_at);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE INDEX attachments_order ON attachments (order_id, created_at);

CREATE TABLE order_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    actor_id BIGINT NOT NULL REFERENCES users (id),
    from_status TEXT,
    to_status TEXT,
    reason TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, created_at);

-- One refund or credit per order at most: a repeated cancel cannot pay twice.
CREATE TABLE refunds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL UNIQUE REFERENCES orders (id),
    company_id BIGINT NOT NULL REFERENCES companies (id),
    kind TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_id BIGINT NOT NULL REFERENCES users (id),
    order_id BIGINT REFERENCES orders (id),
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    read_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX notifications_recipient ON notifications (recipient_id, read_at, created_at);

-- The id is the SHA-256 of the cookie's token: a copy of this table does not
-- let anyone sign in.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
