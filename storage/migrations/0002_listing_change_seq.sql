-- A change number on every listing, so that each bot worker's matching index can
-- catch up with listings written by other workers or the CLI: a worker applies the
-- rows whose change_seq is above the highest it has seen.
--
-- Every write transaction on listings takes the next number from change_counters
-- and stamps each row it writes with it. Taking the number locks the counter row
-- until commit (SQLite: the write lock; PostgreSQL: the row lock), so numbers are
-- committed in increasing order and a reader never sees a number before a smaller
-- one that is still to come. Wall-clock updated_at cannot promise that: equal
-- times, and clocks that differ between machines.

CREATE TABLE change_counters (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
);

ALTER TABLE listings ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
UPDATE listings SET change_seq = id;
INSERT INTO change_counters (name, value)
    VALUES ('listings', COALESCE((SELECT MAX(id) FROM listings), 0));
CREATE INDEX listings_change_seq ON listings (change_seq);
