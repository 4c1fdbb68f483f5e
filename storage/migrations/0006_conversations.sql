-- Conversations move into the database, one row per chat, read at the start of each
-- update and written in the same transaction as the update's effects: any worker can
-- take the next update of a chat, and a restart or a second worker never sees an old
-- state. The chat's recent posts (the flood limit) live on the same row.
--
-- python-telegram-bot's persistence (bot_state) is gone with it. Drafts that were
-- waiting there (not yet confirmed by anyone) are not carried over: their posters
-- simply send the post again.
--
-- Every update whose effects are committed is recorded, in the same transaction, so
-- an update delivered twice (a worker died before Telegram heard back) counts once.
--
-- The matches' need_notified_at / offer_notified_at were never written (a notice is
-- recorded by its outbox row) and go.

CREATE TABLE conversations (
    chat_id      INTEGER PRIMARY KEY,
    flow         TEXT,
    step         TEXT,
    data         TEXT NOT NULL DEFAULT '{}',
    recent_posts TEXT NOT NULL DEFAULT '[]',
    version      INTEGER NOT NULL DEFAULT 0,
    updated_at   REAL NOT NULL
);

CREATE TABLE processed_updates (
    update_id  INTEGER PRIMARY KEY,
    at         REAL NOT NULL
);
CREATE INDEX processed_updates_at ON processed_updates (at);

DROP TABLE bot_state;
ALTER TABLE matches DROP COLUMN need_notified_at;
ALTER TABLE matches DROP COLUMN offer_notified_at;

-- Messages still waiting in the outbox were written as Bot API calls (text or caption,
-- an inline keyboard, a document or photo as base64); the outbox now keeps what to
-- say (text, buttons as [label, action] pairs, an attachment) and the sender makes
-- the call.
UPDATE outbox SET payload = json_object(
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
WHERE status = 'pending' AND json_valid(payload) AND json_extract(payload, '$.method') IS NOT NULL;
-- The message form leaves out what a message does not have.
UPDATE outbox SET payload = json_remove(payload, '$.attachment')
WHERE status = 'pending' AND json_valid(payload) AND json_type(payload, '$.attachment') = 'null';
UPDATE outbox SET payload = json_remove(payload, '$.buttons')
WHERE status = 'pending' AND json_valid(payload) AND json_array_length(payload, '$.buttons') = 0;
