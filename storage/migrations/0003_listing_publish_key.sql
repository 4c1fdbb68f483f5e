-- The key of the draft a listing was confirmed from. Confirming the same draft
-- again (a second press after a crash that came before the cleared draft was
-- saved) finds the listing already stored instead of publishing it twice.
-- NULL for listings not confirmed from a draft (imports, sample days).

ALTER TABLE listings ADD COLUMN publish_key TEXT;
CREATE UNIQUE INDEX listings_publish_key ON listings (publish_key);
