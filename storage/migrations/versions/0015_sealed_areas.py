"""Sealed areas (封控区/管控区/防范区) for directed delivery: each area's designated registry
suppliers, its receivers (linked users with a delivery point), and the delivery tasks of
matches consented into it.
"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.types import NUMBER, TELEGRAM_ID

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sealed_areas",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("county", sa.Text, nullable=False),
        sa.Column("township", sa.Text, nullable=False),
        sa.Column("compounds", sa.Text, nullable=False, server_default=""),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("start", sa.Text, nullable=False),
        sa.Column("declared_by", TELEGRAM_ID),
        sa.Column("declared_at", NUMBER, nullable=False),
        sa.Column("lifted_at", NUMBER),
        sa.Column("lifted_by", TELEGRAM_ID),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sealed_area_suppliers",
        sa.Column("area_id", sa.Integer, sa.ForeignKey("sealed_areas.id"), primary_key=True),
        sa.Column("supplier_id", sa.Integer, sa.ForeignKey("suppliers.id"), primary_key=True),
        sa.Column("created_at", NUMBER, nullable=False),
    )
    op.create_table(
        "sealed_area_receivers",
        sa.Column("area_id", sa.Integer, sa.ForeignKey("sealed_areas.id"), primary_key=True),
        sa.Column("user_id", TELEGRAM_ID, sa.ForeignKey("users.telegram_id"),
                  primary_key=True),
        sa.Column("point", sa.Text, nullable=False),
        sa.Column("created_at", NUMBER, nullable=False),
    )
    op.create_index("sealed_area_receivers_user", "sealed_area_receivers", ["user_id"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("area_id", sa.Integer, sa.ForeignKey("sealed_areas.id"), nullable=False),
        sa.Column("match_id", sa.Integer, sa.ForeignKey("matches.id"), nullable=False,
                  unique=True),
        sa.Column("supplier_user", TELEGRAM_ID, nullable=False),
        sa.Column("receiver_user", TELEGRAM_ID, nullable=False),
        sa.Column("product", sa.Text, nullable=False),
        sa.Column("quantity", NUMBER),
        sa.Column("unit", sa.Text),
        sa.Column("point", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="assigned"),
        sa.Column("plate", sa.Text),
        sa.Column("received_quantity", NUMBER),
        sa.Column("shortfall", NUMBER),
        sa.Column("created_at", NUMBER, nullable=False),
        sa.Column("dispatched_at", NUMBER),
        sa.Column("received_at", NUMBER),
        sqlite_autoincrement=True,
    )
    op.create_index("deliveries_area", "deliveries", ["area_id", "status"])

