"""The key of the draft a listing was confirmed from. Confirming the same draft again
(a second press after a crash that came before the cleared draft was saved) finds the
listing already stored instead of publishing it twice. NULL for listings not confirmed
from a draft (imports, sample days).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("listings") as batch:
        batch.add_column(sa.Column("publish_key", sa.Text))
    op.create_index("listings_publish_key", "listings", ["publish_key"], unique=True)
