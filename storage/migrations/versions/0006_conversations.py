"""Conversations move into the database, one row per chat, read at the start of each
update and written in the same transaction as the update's effects: any worker can
take the next update of a chat, and a restart or a second worker never sees an old
state. The chat's recent posts (the flood limit) live on the same row.

python-telegram-bot's persistence (bot_state) is gone with it. Drafts that were waiting
there (not yet confirmed by anyone) are not carried over: their posters simply send the
post again.

Every update whose effects are committed is recorded, in the same transaction, so an
update delivered twice (a worker died before Telegram heard back) counts once.

The matches' need_notified_at / offer_notified_at were never written (a notice is
recorded by its outbox row) and go.

Messages still waiting in the outbox were written as Bot API calls (text or caption, an
inline keyboard, a document or photo as base64); the outbox now keeps what to say (text,
buttons as [label, action] pairs, an attachment) and the sender makes the call. Only a
SQLite database can hold such rows: a PostgreSQL one is made by this farmdock.
"""

import sqlalchemy as sa
from alembic import op

from storage.migrations.types import NUMBER, TELEGRAM_ID

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQLITE_OUTBOX = [
    """UPDATE outbox SET payload = json_object(
    'text', COALESCE(json_extract(payload, '$.text'), json_extract(payload, '$.caption'), ''),
    'buttons', json((
        SELECT COALESCE(json_group_array(json((
            SELECT json_group_array(json_array(json_extract(button.value, '$.text'),
                                               json_extract(button.value, '$.callback_data')))
            FROM json_each(row.value) AS button
        ))), '[]')
        FROM json_each(COALESCE(json_extract(payload, '$.reply_markup.inline_keyboard'), '[]'))
             AS row
    )),
    'attachment', CASE
        WHEN json_extract(payload, '$.document.data') IS NOT NULL THEN json_object(
            'kind', 'document', 'data', json_extract(payload, '$.document.data'),
            'filename', COALESCE(json_extract(payload, '$.document.filename'), 'document'))
        WHEN json_extract(payload, '$.photo.data') IS NOT NULL THEN json_object(
            'kind', 'photo', 'data', json_extract(payload, '$.photo.data'),
            'filename', COALESCE(json_extract(payload, '$.photo.filename'), 'photo'))
    END
    )
    WHERE status = 'pending' AND json_valid(payload)
      AND json_extract(payload, '$.method') IS NOT NULL""",
    # The message form leaves out what a message does not have.
    """UPDATE outbox SET payload = json_remove(payload, '$.attachment')
    WHERE status = 'pending' AND json_valid(payload)
      AND json_type(payload, '$.attachment') = 'null'""",
    """UPDATE outbox SET payload = json_remove(payload, '$.buttons')
    WHERE status = 'pending' AND json_valid(payload)
      AND json_array_length(payload, '$.buttons') = 0""",
]


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("chat_id", TELEGRAM_ID, primary_key=True, autoincrement=False),
        sa.Column("flow", sa.Text),
        sa.Column("step", sa.Text),
        sa.Column("data", sa.Text, nullable=False, server_default="{}"),
        sa.Column("recent_posts", sa.Text, nullable=False, server_default="[]"),
        sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("updated_at", NUMBER, nullable=False),
    )
    op.create_table(
        "processed_updates",
        sa.Column("update_id", TELEGRAM_ID, primary_key=True, autoincrement=False),
        sa.Column("at", NUMBER, nullable=False),
    )
    op.create_index("processed_updates_at", "processed_updates", ["at"])
    op.drop_table("bot_state")
    # SQLite rebuilds the table to drop a column; it keeps its AUTOINCREMENT then.
    with op.batch_alter_table("matches", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("need_notified_at")
        batch.drop_column("offer_notified_at")
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_OUTBOX:
            op.execute(statement)
