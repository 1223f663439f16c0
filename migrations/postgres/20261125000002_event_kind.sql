-- The timeline records notes and uploads as well as status changes.
ALTER TABLE order_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'status';
