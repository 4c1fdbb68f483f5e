"""The platform's first schema: people, their listings, the matches between listings,
messages waiting to be sent, conversation state and an audit trail.

Times are POSIX seconds (double precision); calendar dates are ISO text.
"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.types import NUMBER, TELEGRAM_ID

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ROLES = "role IN ('grower', 'buyer', 'official', 'admin')"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("telegram_id", TELEGRAM_ID, primary_key=True, autoincrement=False),
        sa.Column("role", sa.Text, sa.CheckConstraint(_ROLES), nullable=False),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("organisation", sa.Text, nullable=False, server_default=""),
        sa.Column("phone", sa.Text),
        # For growers and buyers: where they are. For officials: their jurisdiction
        # (both NULL = the whole city; county only = a county-level unit).
        sa.Column("county", sa.Text),
        sa.Column("township", sa.Text),
        sa.Column("status", sa.Text,
                  sa.CheckConstraint("status IN ('active', 'blocked', 'inactive')"),
                  nullable=False, server_default="active"),
        sa.Column("language", sa.Text, nullable=False, server_default="zh"),
        sa.Column("created_at", NUMBER, nullable=False),
        sa.Column("updated_at", NUMBER, nullable=False),
    )
    op.create_index("users_role_region", "users", ["role", "county", "township"])

    # One-time codes an admin hands out (t.me/<bot>?start=<code>) to sign officials up.
    op.create_table(
        "invites",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, sa.CheckConstraint(_ROLES), nullable=False),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("organisation", sa.Text, nullable=False, server_default=""),
        sa.Column("county", sa.Text),
        sa.Column("township", sa.Text),
        sa.Column("created_at", NUMBER, nullable=False),
        sa.Column("used_by", TELEGRAM_ID, sa.ForeignKey("users.telegram_id")),
        sa.Column("used_at", NUMBER),
    )

    op.create_table(
        "listings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", TELEGRAM_ID, sa.ForeignKey("users.telegram_id"), nullable=False),
        sa.Column("kind", sa.Text, sa.CheckConstraint("kind IN ('offer', 'need')"),
                  nullable=False),
        sa.Column("raw_text", sa.Text, nullable=False, server_default=""),
        sa.Column("product", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("variety", sa.Text),
        sa.Column("quantity", NUMBER, sa.CheckConstraint("quantity IS NULL OR quantity >= 0")),
        sa.Column("unit", sa.Text),
        sa.Column("quantity_as_written", NUMBER),
        sa.Column("unit_as_written", sa.Text),
        sa.Column("pack_unit", sa.Text),
        sa.Column("pack_amount", NUMBER),
        sa.Column("pack_amount_unit", sa.Text),
        sa.Column("price", NUMBER, sa.CheckConstraint("price IS NULL OR price >= 0")),
        sa.Column("price_unit", sa.Text),
        sa.Column("price_bound", sa.Text),
        sa.Column("city", sa.Text),
        sa.Column("county", sa.Text),
        sa.Column("township", sa.Text),
        sa.Column("outside", sa.Text),
        sa.Column("valid_until", sa.Text),
        sa.Column("expires_at", NUMBER),
        sa.Column("status", sa.Text,
                  sa.CheckConstraint("status IN ('open', 'closed', 'expired', 'withdrawn')"),
                  nullable=False, server_default="open"),
        # Why a listing was closed: 'done' (已成交) or 'closed'.
        sa.Column("closed_reason", sa.Text),
        sa.Column("created_at", NUMBER, nullable=False),
        sa.Column("updated_at", NUMBER, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("listings_open_product", "listings", ["status", "product"])
    op.create_index("listings_user", "listings", ["user_id", "status"])
    op.create_index("listings_created", "listings", ["created_at"])
    op.create_index("listings_region", "listings", ["county", "township"])

    op.create_table(
        "matches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("need_id", sa.Integer, sa.ForeignKey("listings.id"), nullable=False),
        sa.Column("offer_id", sa.Integer, sa.ForeignKey("listings.id"), nullable=False),
        sa.Column("score", NUMBER, nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("created_at", NUMBER, nullable=False),
        sa.Column("need_notified_at", NUMBER),
        sa.Column("offer_notified_at", NUMBER),
        # Each side's "我有意向": contacts are exchanged only when both are set.
        sa.Column("need_interest_at", NUMBER),
        sa.Column("offer_interest_at", NUMBER),
        sa.Column("contacts_exchanged_at", NUMBER),
        sa.UniqueConstraint("need_id", "offer_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("matches_offer", "matches", ["offer_id"])
    op.create_index("matches_created", "matches", ["created_at"])

    # Scheduled and broadcast messages. The unique key (day|recipient|kind) makes
    # filling idempotent; a sender drains pending rows.
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("chat_id", TELEGRAM_ID, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.Text,
                  sa.CheckConstraint("status IN ('pending', 'sent', 'failed')"),
                  nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("not_before", NUMBER, nullable=False, server_default=sa.text("0")),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", NUMBER, nullable=False),
        sa.Column("sent_at", NUMBER),
        sqlite_autoincrement=True,
    )
    op.create_index("outbox_pending", "outbox", ["status", "not_before"])

    # Conversation state and user/chat/bot data of the bot, as JSON, so a restart
    # resumes where each user was.
    op.create_table(
        "bot_state",
        sa.Column("namespace", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", NUMBER, nullable=False),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", NUMBER, nullable=False),
        sa.Column("actor_id", TELEGRAM_ID),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("target", sa.Text),
        sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
        sqlite_autoincrement=True,
    )
    op.create_index("audit_at", "audit_log", ["at"])
