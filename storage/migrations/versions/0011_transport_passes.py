"""Transport passes for supply vehicles (重点物资运输车辆通行证): one row per application,
which an official of the route approves (it then gets its 12-digit number), rejects or
later revokes; and each issuing unit's last serial, so that workers allocating numbers
at once never give one twice.
"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.types import NUMBER, TELEGRAM_ID

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "passes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.Text, unique=True),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("applicant_id", TELEGRAM_ID, sa.ForeignKey("users.telegram_id"),
                  nullable=False),
        sa.Column("applied_by", TELEGRAM_ID),
        sa.Column("plate", sa.Text, nullable=False),
        sa.Column("crew", sa.Text, nullable=False, server_default="[]"),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("origin_county", sa.Text),
        sa.Column("origin_outside", sa.Text),
        sa.Column("destination_county", sa.Text),
        sa.Column("destination_outside", sa.Text),
        sa.Column("valid_from", sa.Text, nullable=False),
        sa.Column("valid_until", sa.Text, nullable=False),
        sa.Column("issuer_county", sa.Text),
        sa.Column("decided_by", TELEGRAM_ID),
        sa.Column("decided_at", NUMBER),
        sa.Column("reason", sa.Text),
        sa.Column("revoked_by", TELEGRAM_ID),
        sa.Column("revoked_at", NUMBER),
        sa.Column("created_at", NUMBER, nullable=False),
        sa.Column("updated_at", NUMBER, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("passes_origin", "passes", ["origin_county"])
    op.create_index("passes_destination", "passes", ["destination_county"])
    op.create_index("passes_applicant", "passes", ["applicant_id"])
    op.create_table(
        "pass_serials",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
