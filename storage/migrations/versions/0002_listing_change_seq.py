"""A change number on every listing, so that each bot worker's matching index can catch
up with listings written by other workers or the CLI: a worker applies the rows whose
change_seq is above the highest it has seen.

SQLite: every write transaction on listings takes the next number from change_counters
and stamps each row it writes with it. Taking the number holds the write lock until
commit, so numbers are committed in increasing order and a reader never sees a number
before a smaller one that is still to come. Wall-clock updated_at cannot promise that:
equal times, and clocks that differ between machines. PostgreSQL lets writers run side
by side instead; how it numbers changes is said in storage/listings.py.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_counters",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("value", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    )
    # A plain ADD COLUMN: SQLite keeps the table (and its CHECK constraints) as it is.
    with op.batch_alter_table("listings") as batch:
        batch.add_column(sa.Column("change_seq", sa.BigInteger().with_variant(
            sa.Integer(), "sqlite"), nullable=False, server_default="0"))
    op.execute("UPDATE listings SET change_seq = id")
    op.execute("INSERT INTO change_counters (name, value)"
               " VALUES ('listings', COALESCE((SELECT MAX(id) FROM listings), 0))")
    op.create_index("listings_change_seq", "listings", ["change_seq"])
