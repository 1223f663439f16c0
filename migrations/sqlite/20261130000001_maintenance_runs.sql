-- When a piece of upkeep that reads a lot last ran, so that a server
-- starting (or a second instance) skips it while its result is fresh.
CREATE TABLE maintenance_runs (
    task TEXT PRIMARY KEY,
    ran_at BIGINT NOT NULL
);
