-- Telegram's overall limit (about 30 messages a second) is the bot's, whichever
-- worker sends: every worker takes each message's turn from this one clock, the time
-- the next message may go. A reply queues behind it; the outbox takes a turn only
-- when the clock is free, so replies go first across workers too.
CREATE TABLE send_clock (
    name    TEXT PRIMARY KEY,
    free_at REAL NOT NULL
);
