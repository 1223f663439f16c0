-- Search titles through a trigram index of the title with each space read
-- as the letter q. pg_trgm splits text into words at spaces, so the index
-- of LOWER(title) knew which words a title holds but not which follow
-- which: "street oak" named every title with "street" and "oak" in it
-- (44,000 of a million orders), all read and rejected. Joined, "street
-- oak" has trigrams of its own ("tqo", "qoa") that only titles with those
-- words side by side hold; commas and other signs still split words, so
-- "Street, Oakdale" does not hold them. A title holding a text holds the
-- text's trigrams read this way, so the index still names every match;
-- the check of the text itself drops the rest. Order numbers have no
-- spaces and keep their own index.
CREATE INDEX orders_title_joined_trigrams ON orders
USING gin (replace(LOWER(title), ' ', 'q') gin_trgm_ops);
DROP INDEX orders_title_trigrams;

-- The trigram counts were made of the text with its spaces: count again
-- at the next start.
DELETE FROM maintenance_runs WHERE task = 'search_trigram_docs';
