"""The supply hotline's tickets (诉求), numbered by a per-day counter every worker shares;
and two new roles, 市民 (citizen) and 热线 (hotline operator), which the CHECK on
``users.role`` and ``invites.role`` must let in.

PostgreSQL replaces the two CHECK constraints. SQLite cannot alter a CHECK; widening one
changes nothing stored, so the tables' CREATE statements are edited in place as SQLite's
documentation describes for such changes (writable_schema, with the schema version
bumped so every connection reads the new statements).
"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.types import NUMBER, TELEGRAM_ID

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


_OLD_ROLES = "role IN ('grower', 'buyer', 'official', 'admin')"
_ROLES = "role IN ('grower', 'buyer', 'official', 'admin', 'citizen', 'hotline')"


def upgrade() -> None:
    _widen_roles()
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.Text, nullable=False, unique=True),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("ticket_class", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("county", sa.Text),
        sa.Column("township", sa.Text),
        sa.Column("filer_id", TELEGRAM_ID, sa.ForeignKey("users.telegram_id")),
        sa.Column("caller_name", sa.Text, nullable=False, server_default=""),
        sa.Column("caller_phone", sa.Text),
        sa.Column("owner_county", sa.Text),
        sa.Column("owner_township", sa.Text),
        sa.Column("owner_id", TELEGRAM_ID, sa.ForeignKey("users.telegram_id")),
        sa.Column("answer", sa.Text),
        sa.Column("close_reason", sa.Text),
        sa.Column("rating", sa.Text),
        sa.Column("deadline_at", NUMBER, nullable=False),
        sa.Column("reminded_for", NUMBER),
        sa.Column("escalations", sa.Integer, nullable=False, server_default="0"),
        sa.Column("changes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("need_id", sa.Integer, sa.ForeignKey("listings.id"), unique=True),
        sa.Column("created_at", NUMBER, nullable=False),
        sa.Column("updated_at", NUMBER, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("tickets_state_deadline", "tickets", ["state", "deadline_at"])
    op.create_index("tickets_region", "tickets", ["county", "township"])
    op.create_index("tickets_filer", "tickets", ["filer_id"])
    op.create_table(
        "ticket_counters",
        sa.Column("day", sa.Text, primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )


def _widen_roles() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("users", "invites"):
            op.drop_constraint(f"{table}_role_check", table, type_="check")
            op.create_check_constraint(f"{table}_role_check", table, _ROLES)
        return
    version = op.get_bind().exec_driver_sql("PRAGMA schema_version").scalar_one()
    op.execute("PRAGMA writable_schema = ON")
    op.execute(
        f"UPDATE sqlite_master SET sql = replace(sql, \"{_OLD_ROLES}\", \"{_ROLES}\") "
        "WHERE type = 'table' AND name IN ('users', 'invites')"
    )
    op.execute(f"PRAGMA schema_version = {int(version) + 1}")
    op.execute("PRAGMA writable_schema = OFF")
    widened = op.get_bind().exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        " AND name IN ('users', 'invites') AND sql LIKE '%''hotline''%'").scalar_one()
    if widened != 2:  # a CHECK written otherwise than expected: stop rather than go on
        raise RuntimeError("the role CHECK of users and invites was not found to widen")
