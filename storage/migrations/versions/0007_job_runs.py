"""One run of each scheduled job a day, whatever the number of processes.

Every worker schedules the same jobs. A run is claimed by inserting (job, day): the
first worker's insert wins, the others find the row and leave the run alone. The
claim carries a lease: a worker that dies mid-run keeps the run only until the lease
runs out, then a live worker takes it over. A finished run is never run again.
"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.types import NUMBER

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("job", sa.Text, primary_key=True),
        sa.Column("day", sa.Text, primary_key=True),
        sa.Column("claimed_by", sa.Text, nullable=False),
        sa.Column("claimed_until", NUMBER, nullable=False),
        sa.Column("started_at", NUMBER, nullable=False),
        sa.Column("finished_at", NUMBER),
    )
