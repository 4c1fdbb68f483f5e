"""Whether a match became a deal (成交了吗), and products people follow (关注).

``deal_answers`` holds one row per side of a match that was asked: how many times it
was asked (at most twice: once a day after the contact exchange, once more a day
after 还在谈), and its answer with the quantity and price it dealt. The row is written
in the same transaction as the question's outbox row, so a side is asked once per
ask whatever the number of workers.

``follows`` are the products a user follows, each optionally within an area ('' for
none); ``follow_quota`` counts the notices each follower was sent on each day, so the
daily cap holds across workers.
"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.types import NUMBER, TELEGRAM_ID

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deal_answers",
        sa.Column("match_id", sa.Integer, sa.ForeignKey("matches.id"), primary_key=True),
        sa.Column("side", sa.Text, sa.CheckConstraint("side IN ('need', 'offer')"),
                  primary_key=True),
        sa.Column("asks", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("asked_at", NUMBER, nullable=False),
        sa.Column("answer", sa.Text,
                  sa.CheckConstraint("answer IS NULL OR answer IN ('done', 'talking', 'no')")),
        sa.Column("quantity", NUMBER, sa.CheckConstraint("quantity IS NULL OR quantity >= 0")),
        sa.Column("unit", sa.Text),
        sa.Column("price", NUMBER, sa.CheckConstraint("price IS NULL OR price >= 0")),
        sa.Column("price_unit", sa.Text),
        sa.Column("answered_at", NUMBER),
    )
    op.create_index("deal_answers_answered", "deal_answers", ["answer", "answered_at"])

    op.create_table(
        "follows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", TELEGRAM_ID, sa.ForeignKey("users.telegram_id"), nullable=False),
        sa.Column("product", sa.Text, nullable=False),
        sa.Column("county", sa.Text, nullable=False, server_default=""),
        sa.Column("township", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", NUMBER, nullable=False),
        sa.UniqueConstraint("user_id", "product", "county", "township"),
        sqlite_autoincrement=True,
    )
    op.create_index("follows_product", "follows", ["product"])

    op.create_table(
        "follow_quota",
        sa.Column("user_id", TELEGRAM_ID, primary_key=True),
        sa.Column("day", sa.Text, primary_key=True),
        sa.Column("sent", sa.Integer, nullable=False, server_default=sa.text("0")),
    )
