"""Column types the revisions share, frozen here rather than taken from storage/schema.py,
which describes only the newest schema."""

import sqlalchemy as sa

# Telegram ids are 64-bit. SQLite's INTEGER already is, and only a column declared
# exactly INTEGER PRIMARY KEY is the row's own key there.
TELEGRAM_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# Double precision everywhere a time or an amount is kept (PostgreSQL's REAL is 4 bytes).
NUMBER = sa.Float(precision=53)
