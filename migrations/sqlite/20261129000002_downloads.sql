-- Every file sent to someone: viewed, downloaded, or in a report bundle.
-- Staff read an attachment's downloads (newest first); customers read
-- their company's first download of each attachment.
CREATE TABLE downloads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    attachment_id BIGINT NOT NULL REFERENCES attachments (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    company_id BIGINT REFERENCES companies (id),
    via TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX downloads_attachment ON downloads (attachment_id, created_at);
CREATE INDEX downloads_company ON downloads (company_id, attachment_id, created_at);
