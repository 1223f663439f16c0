-- Administration at the size of a real business (5,000 companies and their
-- users): every list is a range of one index, and search by name or e-mail
-- address asks a trigram index instead of reading every row.

-- Sort orders and filters of the users list. Every SQLite index ends with
-- the rowid, the tie-breaker of every page.
CREATE INDEX users_name ON users (name);
CREATE INDEX users_created ON users (created_at);
CREATE INDEX users_company_email ON users (company_id, email);
CREATE INDEX users_group_email ON users (group_code, email);
CREATE INDEX users_disabled_email ON users (disabled, email);
CREATE INDEX companies_created ON companies (created_at);

CREATE VIRTUAL TABLE users_search USING fts5 (
    email, name, content = 'users', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO users_search (users_search) VALUES ('rebuild');

CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, email, name) VALUES (NEW.id, NEW.email, NEW.name);
END;

CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, email, name)
    VALUES ('delete', OLD.id, OLD.email, OLD.name);
END;

CREATE TRIGGER users_search_update AFTER UPDATE OF email, name ON users BEGIN
    INSERT INTO users_search (users_search, rowid, email, name)
    VALUES ('delete', OLD.id, OLD.email, OLD.name);
    INSERT INTO users_search (rowid, email, name) VALUES (NEW.id, NEW.email, NEW.name);
END;

CREATE VIRTUAL TABLE companies_search USING fts5 (
    name, content = 'companies', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO companies_search (companies_search) VALUES ('rebuild');

CREATE TRIGGER companies_search_insert AFTER INSERT ON companies BEGIN
    INSERT INTO companies_search (rowid, name) VALUES (NEW.id, NEW.name);
END;

CREATE TRIGGER companies_search_delete AFTER DELETE ON companies BEGIN
    INSERT INTO companies_search (companies_search, rowid, name) VALUES ('delete', OLD.id, OLD.name);
END;

CREATE TRIGGER companies_search_update AFTER UPDATE OF name ON companies BEGIN
    INSERT INTO companies_search (companies_search, rowid, name) VALUES ('delete', OLD.id, OLD.name);
    INSERT INTO companies_search (rowid, name) VALUES (NEW.id, NEW.name);
END;
