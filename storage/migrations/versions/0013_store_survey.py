"""The daily store survey (日调查): stores and their managers (users linked to a store),
the officer assigned to each store, the items reported each day, and the needs the
survey drafts for short items; the officials' 已协调 on escalated needs, and when a user
was told that officials of their area may see their phone.
"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.types import NUMBER, TELEGRAM_ID

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stores",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("chain", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("county", sa.Text, nullable=False),
        sa.Column("township", sa.Text),
        sa.Column("manager_phone", sa.Text),
        sa.Column("created_at", NUMBER, nullable=False),
        sa.Column("updated_at", NUMBER, nullable=False),
        sa.UniqueConstraint("chain", "name"),
        sqlite_autoincrement=True,
    )
    op.create_index("stores_region", "stores", ["county", "township"])
    op.create_table(
        "store_managers",
        sa.Column("store_id", sa.Integer, sa.ForeignKey("stores.id"), primary_key=True),
        sa.Column("user_id", TELEGRAM_ID, sa.ForeignKey("users.telegram_id"),
                  primary_key=True),
        sa.Column("created_at", NUMBER, nullable=False),
    )
    op.create_index("store_managers_user", "store_managers", ["user_id"])
    op.create_table(
        "store_officers",
        sa.Column("store_id", sa.Integer, sa.ForeignKey("stores.id"), primary_key=True),
        sa.Column("official_id", TELEGRAM_ID, sa.ForeignKey("users.telegram_id"),
                  nullable=False),
        sa.Column("assigned_by", TELEGRAM_ID),
        sa.Column("assigned_at", NUMBER, nullable=False),
    )
    op.create_index("store_officers_official", "store_officers", ["official_id"])
    op.create_table(
        "survey_reports",
        sa.Column("store_id", sa.Integer, sa.ForeignKey("stores.id"), primary_key=True),
        sa.Column("product", sa.Text, primary_key=True),
        sa.Column("day", sa.Text, primary_key=True),
        sa.Column("stock", NUMBER, nullable=False),
        sa.Column("stock_unit", sa.Text, nullable=False),
        sa.Column("sales", NUMBER),
        sa.Column("sales_unit", sa.Text),
        sa.Column("sales_basis", sa.Text),
        sa.Column("reported_by", TELEGRAM_ID),
        sa.Column("reported_at", NUMBER, nullable=False),
    )
    # Covering: the day's table reads a week of every store's reports from the index alone.
    op.create_index("survey_reports_day", "survey_reports",
                    ["day", "store_id", "product", "stock", "stock_unit", "sales",
                     "sales_unit"])
    op.create_table(
        "survey_needs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("store_id", sa.Integer, sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("product", sa.Text, nullable=False),
        sa.Column("day", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="draft"),
        sa.Column("urgency", sa.Text, nullable=False),
        sa.Column("quantity", NUMBER, nullable=False),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("listing_id", sa.Integer, sa.ForeignKey("listings.id")),
        sa.Column("created_at", NUMBER, nullable=False),
        sa.Column("updated_at", NUMBER, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("survey_needs_store", "survey_needs", ["store_id", "product", "status"])
    op.create_index("survey_needs_listing", "survey_needs", ["listing_id"])
    op.create_table(
        "need_coordinations",
        sa.Column("listing_id", sa.Integer, sa.ForeignKey("listings.id"), primary_key=True),
        sa.Column("official_id", TELEGRAM_ID, sa.ForeignKey("users.telegram_id"),
                  primary_key=True),
        sa.Column("at", NUMBER, nullable=False),
    )
    op.create_table(
        "phone_notices",
        sa.Column("user_id", TELEGRAM_ID, sa.ForeignKey("users.telegram_id"),
                  primary_key=True),
        sa.Column("told_at", NUMBER, nullable=False),
    )
