-- Files an upload is storing before its attachment rows are written. A
-- key is recorded before its file is written and forgotten in the
-- transaction that writes its attachment row, or when the upload is
-- refused; what a crash leaves behind is found here, by age, without
-- reading every attachment or listing the whole store.
CREATE TABLE pending_files (
    storage_key TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);
CREATE INDEX pending_files_created ON pending_files (created_at);
