"""Daily price monitoring (日监测): monitoring points, the users linked to them, one-time
links for their reporters, and their price reports with the history of corrections."""

import sqlalchemy as sa
from alembic import op

from storage.migrations.types import NUMBER, TELEGRAM_ID

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitoring_points",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("county", sa.Text, nullable=False),
        sa.Column("township", sa.Text),
        sa.Column("created_at", NUMBER, nullable=False),
        sa.Column("removed_at", NUMBER),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "point_links",
        sa.Column("point_id", sa.Integer, sa.ForeignKey("monitoring_points.id"),
                  primary_key=True, autoincrement=False),
        sa.Column("telegram_id", TELEGRAM_ID, primary_key=True, autoincrement=False),
        sa.Column("created_at", NUMBER, nullable=False),
    )
    op.create_index("point_links_user", "point_links", ["telegram_id"])
    op.create_table(
        "point_invites",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("point_id", sa.Integer, sa.ForeignKey("monitoring_points.id"),
                  nullable=False),
        sa.Column("created_by", TELEGRAM_ID),
        sa.Column("created_at", NUMBER, nullable=False),
        sa.Column("used_by", TELEGRAM_ID),
        sa.Column("used_at", NUMBER),
    )
    op.create_table(
        "price_reports",
        sa.Column("point_id", sa.Integer, sa.ForeignKey("monitoring_points.id"),
                  primary_key=True, autoincrement=False),
        sa.Column("day", sa.Text, primary_key=True),
        sa.Column("product", sa.Text, primary_key=True),
        sa.Column("price", NUMBER, nullable=False),
        sa.Column("price_unit", sa.Text, nullable=False),
        sa.Column("sales", NUMBER),
        sa.Column("sales_unit", sa.Text),
        sa.Column("reported_by", TELEGRAM_ID),
        sa.Column("reported_at", NUMBER, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
    )
    # Covers the day's table: the day's scan and the lookup of each point's price days before.
    op.create_index("price_reports_day_point", "price_reports",
                    ["day", "point_id", "product", "price_unit", "price"])
    op.create_table(
        "price_report_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("point_id", sa.Integer, nullable=False),
        sa.Column("day", sa.Text, nullable=False),
        sa.Column("product", sa.Text, nullable=False),
        sa.Column("price", NUMBER, nullable=False),
        sa.Column("price_unit", sa.Text, nullable=False),
        sa.Column("sales", NUMBER),
        sa.Column("sales_unit", sa.Text),
        sa.Column("reported_by", TELEGRAM_ID),
        sa.Column("reported_at", NUMBER, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("replaced_at", NUMBER, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("price_report_history_point_day", "price_report_history",
                    ["point_id", "day"])
