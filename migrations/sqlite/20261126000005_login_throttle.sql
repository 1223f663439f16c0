-- Failed sign-ins and the addresses accounts signed in from, kept in the
-- database so that every instance of the portal throttles guessing alike
-- (app/src/server/throttle.rs). Housekeeping forgets what no longer counts.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    address TEXT,
    failed_at BIGINT NOT NULL
);
CREATE INDEX login_failures_pair ON login_failures (account, address, failed_at);
CREATE INDEX login_failures_account ON login_failures (account, failed_at);
CREATE INDEX login_failures_address ON login_failures (address, failed_at);
CREATE INDEX login_failures_age ON login_failures (failed_at);

CREATE TABLE login_own_addresses (
    account TEXT NOT NULL,
    address TEXT NOT NULL,
    signed_in_at BIGINT NOT NULL,
    PRIMARY KEY (account, address)
);
CREATE INDEX login_own_addresses_age ON login_own_addresses (signed_in_at);
