"""Claims on outbox rows, so that several senders (one per worker process) can drain
one outbox without sending a message twice.

A sender stamps the rows it is about to send with its id and a lease (wall time)
inside a write transaction; other senders leave a row alone while its claim is live,
and a chat alone while any of its rows carries a live claim of another sender, so that
one sender at a time writes to a chat (Telegram: one message a second per chat). A
sent row keeps its claim for that second. A sender that dies keeps its claims only
until the lease runs out; then another sends the rows.
"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.types import NUMBER

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.Text))
        batch.add_column(sa.Column("claimed_until", NUMBER))
    # "Does another sender hold this chat?", asked for every row a sender claims.
    op.create_index("outbox_chat_claims", "outbox", ["chat_id", "claimed_until"])
