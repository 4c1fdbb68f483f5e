"""Telegram's overall limit is the bot's: two workers sending at once keep to it together."""

from __future__ import annotations

import signal
from collections import Counter

from bot.services.messages import Message, outgoing
from storage.database import Database
from tests.fake_bot_api import FakeBotApi
from tests.stores import each
from tests.test_run_command import (
    PUBLIC_WEBHOOK_URL,
    WEBHOOK_SECRET,
    free_port,
    start_bot,
    stop_bot,
)

NOTICES = 90


async def test_two_workers_broadcasting_never_exceed_telegrams_limit(
    fake_api: FakeBotApi, database_target: str
) -> None:
    db_path = database_target
    async with await Database.open(db_path) as db:
        await each(db).outbox.enqueue([
            outgoing(f"2026-05-09|{chat}|notice", chat, "notice", Message(f"通知 {chat}"))
            for chat in range(1, NOTICES + 1)
        ])
    limits = fake_api.enable_limits()
    workers = [
        await start_bot(fake_api, db_path, WEBHOOK_URL=PUBLIC_WEBHOOK_URL,
                        WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(free_port()),
                        WEBHOOK_SECRET=WEBHOOK_SECRET)
        for _ in range(2)
    ]
    try:
        await fake_api.wait_until(lambda: limits.delivered >= NOTICES, timeout=60,
                                  what="every notice delivered")
    finally:
        for process in workers:
            await stop_bot(process, signal.SIGTERM)
    sent = Counter(call.params["chat_id"] for call in fake_api.calls_to("sendMessage", ok=True))
    assert sorted(int(chat) for chat in sent) == list(range(1, NOTICES + 1))
    assert set(sent.values()) == {1}
    # Each worker alone may send 30 a second; both together did not either.
    assert limits.rejected == 0
    # Both took part: the rate was shared, not one worker's alone.
    async with await Database.open(db_path) as db:
        senders = {row.claimed_by for row in await each(db).outbox.rows(kind="notice")}
    assert len(senders) == 2
