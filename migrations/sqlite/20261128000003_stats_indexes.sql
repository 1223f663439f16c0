-- The dashboard's figures (services/stats.rs) from index ranges alone:
-- orders completed per week and their turnaround per product (a complete
-- order's last change is its completion: complete is final), and the
-- reasons of orders waiting for the customer (only they have one).
CREATE INDEX orders_status_updated ON orders (status, updated_at, product_id, created_at);
CREATE INDEX orders_hold_reasons ON orders (status, hold_reason) WHERE hold_reason IS NOT NULL;
