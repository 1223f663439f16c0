-- How each user's order lists show orders (`cards` or `table`); NULL until
-- they choose, when their group's default applies (ListLayout::default_for).
ALTER TABLE users ADD COLUMN list_layout TEXT;
