-- Numbers a listing can never hold are refused by the database itself, the last line
-- of defence behind the plausible ranges that every way in checks first. SQLite keeps
-- a NaN as NULL, so what could get in is an infinity (a 400-digit quantity was stored
-- as one). ALTER TABLE cannot add a CHECK, so triggers refuse it on every insert and
-- on every update of a number (9e999 is how SQLite writes infinity).
--
-- A listing already holding one is withdrawn (closed_reason 'invalid') and loses the
-- number: nobody trades an infinite amount, and no digest can add it up.
--
-- Phones were stored as Telegram shares them (+8613812345678) or as typed
-- (13700002222, 0375 5678901). Each becomes the one stored form (13812345678,
-- 0375-5678901) through normalized_phone(), the application's phone parser, which
-- the migration runner registers on the connection; a value that is no phone number
-- is kept as it is.

-- The withdrawn rows take the next change number, so every worker's index drops them.
UPDATE change_counters SET value = value + 1
WHERE name = 'listings' AND EXISTS (
    SELECT 1 FROM listings
    WHERE abs(quantity) >= 9e999 OR abs(quantity_as_written) >= 9e999
       OR abs(price) >= 9e999 OR abs(pack_amount) >= 9e999
);
UPDATE listings SET
    status = CASE WHEN status = 'open' THEN 'withdrawn' ELSE status END,
    closed_reason = CASE WHEN status = 'open' THEN 'invalid' ELSE closed_reason END,
    quantity = CASE WHEN abs(quantity) >= 9e999 THEN NULL ELSE quantity END,
    quantity_as_written =
        CASE WHEN abs(quantity_as_written) >= 9e999 THEN NULL ELSE quantity_as_written END,
    price = CASE WHEN abs(price) >= 9e999 THEN NULL ELSE price END,
    pack_amount = CASE WHEN abs(pack_amount) >= 9e999 THEN NULL ELSE pack_amount END,
    change_seq = (SELECT value FROM change_counters WHERE name = 'listings')
WHERE abs(quantity) >= 9e999 OR abs(quantity_as_written) >= 9e999 OR abs(price) >= 9e999
   OR abs(pack_amount) >= 9e999;

CREATE TRIGGER listings_finite_numbers_on_insert BEFORE INSERT ON listings
WHEN abs(NEW.quantity) >= 9e999 OR abs(NEW.quantity_as_written) >= 9e999
  OR abs(NEW.price) >= 9e999 OR abs(NEW.pack_amount) >= 9e999
BEGIN
    SELECT RAISE(ABORT, 'listings: quantity, price and pack amount must be finite numbers');
END;

CREATE TRIGGER listings_finite_numbers_on_update
BEFORE UPDATE OF quantity, quantity_as_written, price, pack_amount ON listings
WHEN abs(NEW.quantity) >= 9e999 OR abs(NEW.quantity_as_written) >= 9e999
  OR abs(NEW.price) >= 9e999 OR abs(NEW.pack_amount) >= 9e999
BEGIN
    SELECT RAISE(ABORT, 'listings: quantity, price and pack amount must be finite numbers');
END;

UPDATE users SET phone = normalized_phone(phone) WHERE phone IS NOT NULL;
