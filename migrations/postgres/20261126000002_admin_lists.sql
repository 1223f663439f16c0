-- Administration at the size of a real business (5,000 companies and their
-- users): every list is a range of one index, and search by name or e-mail
-- address asks a trigram index instead of reading every row.

-- Sort orders and filters of the lists; each ends with the id, the
-- tie-breaker of every page.
CREATE INDEX users_email_id ON users (email, id);
CREATE INDEX users_name ON users (name, id);
CREATE INDEX users_created ON users (created_at, id);
CREATE INDEX users_company_email ON users (company_id, email, id);
CREATE INDEX users_group_email ON users (group_code, email, id);
CREATE INDEX users_disabled_email ON users (disabled, email, id);
CREATE INDEX companies_name_id ON companies (name, id);
CREATE INDEX companies_created ON companies (created_at, id);

-- Without fast update: users and companies change seldom, and entries
-- waiting in a GIN index's pending list are read on every search until a
-- vacuum merges them (10 ms instead of 0.2 ms at 10,000 users), which also
-- led the planner to read the whole table instead.
CREATE INDEX users_email_trigrams ON users USING gin (LOWER(email) gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX users_name_trigrams ON users USING gin (LOWER(name) gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX companies_name_trigrams ON companies USING gin (LOWER(name) gin_trgm_ops) WITH (fastupdate = off);
