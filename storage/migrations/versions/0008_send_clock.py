"""Telegram's overall limit (about 30 messages a second) is the bot's, whichever worker
sends: every worker takes each message's turn from this one clock, the time the next
message may go. A reply queues behind it; the outbox takes a turn only when the clock
is free, so replies go first across workers too.
"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.types import NUMBER

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_clock",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("free_at", NUMBER, nullable=False),
    )
