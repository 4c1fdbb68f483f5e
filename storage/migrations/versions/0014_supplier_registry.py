"""The emergency supplier registry (应急商品供应数据库): suppliers keyed by a stable key (their
统一社会信用代码, else name + place), the products each can supply with a capacity per day or
per week, and the signed-up users linked to a supplier; and the requests made of registry
suppliers for needs the market did not cover, with their answers.
"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.types import NUMBER, TELEGRAM_ID

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("credit_code", sa.Text),
        sa.Column("county", sa.Text, nullable=False),
        sa.Column("township", sa.Text),
        sa.Column("contact", sa.Text, nullable=False, server_default=""),
        sa.Column("phone", sa.Text),
        sa.Column("flags", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", NUMBER, nullable=False),
        sa.Column("updated_at", NUMBER, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("suppliers_region", "suppliers", ["county", "township"])
    op.create_table(
        "supplier_products",
        sa.Column("supplier_id", sa.Integer, sa.ForeignKey("suppliers.id"), primary_key=True),
        sa.Column("product", sa.Text, primary_key=True),
        sa.Column("capacity", NUMBER, nullable=False),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
    )
    op.create_index("supplier_products_product", "supplier_products",
                    ["product", "supplier_id"])
    op.create_table(
        "supplier_users",
        sa.Column("supplier_id", sa.Integer, sa.ForeignKey("suppliers.id"), primary_key=True),
        sa.Column("user_id", TELEGRAM_ID, sa.ForeignKey("users.telegram_id"),
                  primary_key=True),
        sa.Column("created_at", NUMBER, nullable=False),
    )
    op.create_index("supplier_users_user", "supplier_users", ["user_id"])
    op.create_table(
        "supplier_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("need_id", sa.Integer, sa.ForeignKey("listings.id"), nullable=False),
        sa.Column("supplier_id", sa.Integer, sa.ForeignKey("suppliers.id"), nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="asked"),
        sa.Column("quantity", NUMBER),
        sa.Column("unit", sa.Text),
        sa.Column("asked_at", NUMBER, nullable=False),
        sa.Column("answered_at", NUMBER),
        sa.Column("answered_by", TELEGRAM_ID),
        sa.Column("offer_id", sa.Integer, sa.ForeignKey("listings.id")),
        sa.UniqueConstraint("need_id", "supplier_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("supplier_requests_supplier", "supplier_requests",
                    ["supplier_id", "status"])
