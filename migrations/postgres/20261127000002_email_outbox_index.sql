-- The e-mail outbox's due notifications and its backlog (`/metrics`) are
-- read from the unsent ones only: a range of the last day, however many
-- notifications have been sent before.
CREATE INDEX notifications_email_due ON notifications (created_at) WHERE emailed_at IS NULL;
