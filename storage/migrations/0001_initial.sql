-- The platform's first schema: people, their listings, the matches between
-- listings, messages waiting to be sent, conversation state and an audit trail.
-- Times are POSIX seconds (REAL); calendar dates are ISO text.

CREATE TABLE users (
    telegram_id   INTEGER PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('grower', 'buyer', 'official', 'admin')),
    name          TEXT NOT NULL DEFAULT '',
    organisation  TEXT NOT NULL DEFAULT '',
    phone         TEXT,
    -- For growers and buyers: where they are. For officials: their jurisdiction
    -- (both NULL = the whole city; county only = a county-level unit).
    county        TEXT,
    township      TEXT,
    status        TEXT NOT NULL DEFAULT 'active'
                  CHECK (status IN ('active', 'blocked', 'inactive')),
    language      TEXT NOT NULL DEFAULT 'zh',
    created_at    REAL NOT NULL,
    updated_at    REAL NOT NULL
);
CREATE INDEX users_role_region ON users (role, county, township);

-- One-time codes an admin hands out (t.me/<bot>?start=<code>) to sign officials up.
CREATE TABLE invites (
    code        TEXT PRIMARY KEY,
    role        TEXT NOT NULL CHECK (role IN ('grower', 'buyer', 'official', 'admin')),
    name        TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    county      TEXT,
    township    TEXT,
    created_at  REAL NOT NULL,
    used_by     INTEGER REFERENCES users (telegram_id),
    used_at     REAL
);

CREATE TABLE listings (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             INTEGER NOT NULL REFERENCES users (telegram_id),
    kind                TEXT NOT NULL CHECK (kind IN ('offer', 'need')),
    raw_text            TEXT NOT NULL DEFAULT '',
    product             TEXT NOT NULL,
    category            TEXT NOT NULL,
    variety             TEXT,
    quantity            REAL CHECK (quantity IS NULL OR quantity >= 0),
    unit                TEXT,
    quantity_as_written REAL,
    unit_as_written     TEXT,
    pack_unit           TEXT,
    pack_amount         REAL,
    pack_amount_unit    TEXT,
    price               REAL CHECK (price IS NULL OR price >= 0),
    price_unit          TEXT,
    price_bound         TEXT,
    city                TEXT,
    county              TEXT,
    township            TEXT,
    outside             TEXT,
    valid_until         TEXT,
    expires_at          REAL,
    status              TEXT NOT NULL DEFAULT 'open'
                        CHECK (status IN ('open', 'closed', 'expired', 'withdrawn')),
    -- Why a listing was closed: 'done' (已成交) or 'closed'.
    closed_reason       TEXT,
    created_at          REAL NOT NULL,
    updated_at          REAL NOT NULL
);
CREATE INDEX listings_open_product ON listings (status, product);
CREATE INDEX listings_user ON listings (user_id, status);
CREATE INDEX listings_created ON listings (created_at);
CREATE INDEX listings_region ON listings (county, township);

CREATE TABLE matches (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    need_id               INTEGER NOT NULL REFERENCES listings (id),
    offer_id              INTEGER NOT NULL REFERENCES listings (id),
    score                 REAL NOT NULL,
    rank                  INTEGER NOT NULL,
    created_at            REAL NOT NULL,
    need_notified_at      REAL,
    offer_notified_at     REAL,
    -- Each side's "我有意向": contacts are exchanged only when both are set.
    need_interest_at      REAL,
    offer_interest_at     REAL,
    contacts_exchanged_at REAL,
    UNIQUE (need_id, offer_id)
);
CREATE INDEX matches_offer ON matches (offer_id);
CREATE INDEX matches_created ON matches (created_at);

-- Scheduled and broadcast messages. The unique key (day|recipient|kind) makes
-- filling idempotent; a sender drains pending rows.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL UNIQUE,
    chat_id     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  REAL NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  REAL NOT NULL,
    sent_at     REAL
);
CREATE INDEX outbox_pending ON outbox (status, not_before);

-- Conversation state and user/chat/bot data of the bot, as JSON, so a restart
-- resumes where each user was.
CREATE TABLE bot_state (
    namespace  TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (namespace, key)
);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        REAL NOT NULL,
    actor_id  INTEGER,
    action    TEXT NOT NULL,
    target    TEXT,
    detail    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_at ON audit_log (at);
