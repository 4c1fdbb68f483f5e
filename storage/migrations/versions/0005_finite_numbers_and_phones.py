"""Numbers a listing can never hold are refused by the database itself, the last line
of defence behind the plausible ranges that every way in checks first; and every
stored phone takes its one stored form.

SQLite keeps a NaN as NULL, so what could get in is an infinity (a 400-digit quantity
was stored as one). ALTER TABLE cannot add a CHECK there, so triggers refuse it on
every insert and on every update of a number (9e999 is how SQLite writes infinity).
A listing already holding one is withdrawn (closed_reason 'invalid') and loses the
number: nobody trades an infinite amount, and no digest can add it up. PostgreSQL
takes a CHECK constraint, which refuses NaN as well.

Phones were stored as Telegram shares them (+8613812345678) or as typed (13700002222,
0375 5678901). Each becomes the one stored form (13812345678, 0375-5678901) through
normalized_phone(), the application's phone parser, which the database registers on
every SQLite connection (storage/migrations/functions.py); a value that is no phone
number is kept as it is. A PostgreSQL database is made by this farmdock, with every
phone written in that form already, so there is nothing to bring into it.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_INFINITE = """abs(quantity) >= 9e999 OR abs(quantity_as_written) >= 9e999
   OR abs(price) >= 9e999 OR abs(pack_amount) >= 9e999"""
_NEW_INFINITE = _INFINITE.replace("abs(", "abs(NEW.")
_REFUSE = "SELECT RAISE(ABORT, 'listings: quantity, price and pack amount must be finite numbers')"

SQLITE = [
    # The withdrawn rows take the next change number, so every worker's index drops them.
    f"""UPDATE change_counters SET value = value + 1
        WHERE name = 'listings' AND EXISTS (SELECT 1 FROM listings WHERE {_INFINITE})""",
    f"""UPDATE listings SET
        status = CASE WHEN status = 'open' THEN 'withdrawn' ELSE status END,
        closed_reason = CASE WHEN status = 'open' THEN 'invalid' ELSE closed_reason END,
        quantity = CASE WHEN abs(quantity) >= 9e999 THEN NULL ELSE quantity END,
        quantity_as_written =
            CASE WHEN abs(quantity_as_written) >= 9e999 THEN NULL ELSE quantity_as_written END,
        price = CASE WHEN abs(price) >= 9e999 THEN NULL ELSE price END,
        pack_amount = CASE WHEN abs(pack_amount) >= 9e999 THEN NULL ELSE pack_amount END,
        change_seq = (SELECT value FROM change_counters WHERE name = 'listings')
        WHERE {_INFINITE}""",
    f"""CREATE TRIGGER listings_finite_numbers_on_insert BEFORE INSERT ON listings
        WHEN {_NEW_INFINITE}
        BEGIN {_REFUSE}; END""",
    f"""CREATE TRIGGER listings_finite_numbers_on_update
        BEFORE UPDATE OF quantity, quantity_as_written, price, pack_amount ON listings
        WHEN {_NEW_INFINITE}
        BEGIN {_REFUSE}; END""",
    "UPDATE users SET phone = normalized_phone(phone) WHERE phone IS NOT NULL",
]

# NaN compares above every number in PostgreSQL, so "< 'Infinity'" refuses it too.
_FINITE = " AND ".join(
    f"({column} IS NULL OR abs({column}) < 'Infinity')"
    for column in ("quantity", "quantity_as_written", "price", "pack_amount")
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE:
            op.execute(statement)
    else:
        op.create_check_constraint("listings_finite_numbers", "listings", _FINITE)
