-- Notifications double as the e-mail outbox when SMTP is configured: each
-- is sent once, retried with growing pauses when the server refuses it.
ALTER TABLE notifications ADD COLUMN email_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN email_next_at BIGINT;
ALTER TABLE notifications ADD COLUMN emailed_at BIGINT;
ALTER TABLE notifications ADD COLUMN email_error TEXT;
