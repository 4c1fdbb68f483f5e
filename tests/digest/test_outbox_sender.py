"""The outbox sender against the fake Bot API: limits, failures, crash and restart."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import pytest
from telegram import Bot
from telegram.ext import BaseRateLimiter, ExtBot

from bot.services.messages import Attachment, Button, Message, outgoing
from bot.telegram.outbox_sender import CLAIM_LEASE, MAX_ATTEMPTS, OutboxSender
from bot.telegram.transport import ObservedRequest
from storage.database import Database
from storage.outbox import OutboxRepository, OutgoingMessage
from tests.digest.conftest import TOKEN
from tests.fake_bot_api import FakeBotApi, InjectedError, SimulatedClock
from tests.stores import each


def text_message(chat_id: int, n: int = 0, day: str = "2026-05-09") -> OutgoingMessage:
    return outgoing(f"{day}|{chat_id}|digest|{n}", chat_id, "digest", Message(f"<b>日报</b> {n}"))


def simulated_sender(
    db: Database, bot: Bot, server: FakeBotApi, *, wall_offset: float = 0.0
) -> tuple[OutboxSender, SimulatedClock]:
    clock = SimulatedClock()
    server.enable_limits(clock)
    sender = OutboxSender(
        db, bot, clock=clock.monotonic, sleep=clock.sleep,
        wall_clock=lambda: time.time() + wall_offset,
    )
    return sender, clock


async def test_broadcast_stays_within_limits(db: Database, bot: Bot, server: FakeBotApi) -> None:
    # 90 recipients, two messages each: 180 sends at 30/s need 6 s, and each chat needs 1 s.
    await each(db).outbox.enqueue([text_message(c, n) for n in (0, 1) for c in range(1, 91)])
    sender, clock = simulated_sender(db, bot, server)
    assert await sender.drain() == 180
    assert server.limits is not None and server.limits.rejected == 0
    assert sender.retries_after == 0
    assert 179 / 30 <= clock.monotonic() <= 1.1 * 180 / 30
    # Within one chat the order of the rows is kept.
    assert [m.text for m in server.messages_to(7)] == ["<b>日报</b> 0", "<b>日报</b> 1"]
    assert await each(db).outbox.due(1e12) == []


async def test_one_chat_with_a_long_queue_does_not_hold_up_the_others(
    db: Database, bot: Bot, server: FakeBotApi
) -> None:
    await each(db).outbox.enqueue([text_message(1, n) for n in range(20)])
    await each(db).outbox.enqueue([text_message(c) for c in range(2, 32)])
    sender, clock = simulated_sender(db, bot, server)
    assert await sender.drain() == 50
    last_other = max(i for i, m in enumerate(server.sent) if m.chat_id != 1)
    assert last_other < 40  # the 30 others are not queued behind chat 1's twenty
    assert clock.monotonic() >= 19.0  # chat 1 got one a second
    assert server.limits is not None and server.limits.rejected == 0


async def test_blocked_user_is_marked_inactive_and_skipped(
    db: Database, bot: Bot, server: FakeBotApi
) -> None:
    await each(db).users.upsert(5, role="buyer", name="李经理")
    server.inject_error("sendMessage", InjectedError.blocked(), chat_id=5)
    await each(db).outbox.enqueue([text_message(5), text_message(6)])
    assert await OutboxSender(db, bot, per_chat_interval=0).drain() == 1
    blocked = await each(db).users.get(5)
    assert blocked is not None and blocked.status == "inactive"
    [row] = await each(db).outbox.rows(chat_id=5)
    assert row.status == "failed" and "blocked" in (row.last_error or "")
    assert [m.chat_id for m in server.sent] == [6]


async def test_429_postpones_by_retry_after(db: Database, bot: Bot, server: FakeBotApi) -> None:
    server.inject_error("sendMessage", InjectedError.flood(retry_after=7))
    await each(db).outbox.enqueue([text_message(1)])
    wall = [1000.0]
    sender = OutboxSender(db, bot, wall_clock=lambda: wall[0])
    assert await sender.drain() == 0
    [row] = await each(db).outbox.rows()
    assert row.status == "pending" and row.not_before == pytest.approx(1007.0)
    assert sender.retries_after == 1
    wall[0] = 1007.0
    sender = OutboxSender(db, bot, wall_clock=lambda: wall[0])
    assert await sender.drain() == 1


async def test_server_error_backs_off_and_is_never_dropped(
    db: Database, bot: Bot, server: FakeBotApi
) -> None:
    server.inject_error("sendMessage", InjectedError.server_error(502), times=2)
    await each(db).outbox.enqueue([text_message(1)])
    wall = [0.0]
    for _ in range(2):
        assert await OutboxSender(db, bot, wall_clock=lambda: wall[0]).drain() == 0
        [row] = await each(db).outbox.rows()
        assert row.status == "pending" and row.not_before > wall[0]
        wall[0] = row.not_before
    assert await OutboxSender(db, bot, wall_clock=lambda: wall[0]).drain() == 1
    assert len(server.sent) == 1


async def test_documents_and_photos_with_their_captions_and_buttons(
    db: Database, bot: Bot, server: FakeBotApi
) -> None:
    await each(db).outbox.enqueue([
        outgoing("a", 1, "digest", Message(
            "日报 Excel", attachment=Attachment("document", "日报.xlsx", b"xlsx"))),
        outgoing("b", 2, "digest", Message(
            "<b>图表</b>", ((Button("续期", "lst:renew:1"),),),
            attachment=Attachment("photo", "c.png", b"\x89PNG fake"))),
    ])
    assert await OutboxSender(db, bot).drain() == 2
    document, photo = server.sent
    assert (document.method, photo.method) == ("sendDocument", "sendPhoto")
    assert document.file is not None and document.file.content == b"xlsx"
    assert document.file.filename == "日报.xlsx" and document.caption == "日报 Excel"
    assert photo.file is not None and photo.file.content == b"\x89PNG fake"
    assert photo.caption == "<b>图表</b>" and photo.parse_mode == "HTML"
    assert photo.buttons() == [{"text": "续期", "callback_data": "lst:renew:1"}]


async def test_crash_between_send_and_mark_repeats_at_most_that_message(
    db: Database, bot: Bot, server: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    await each(db).outbox.enqueue([text_message(c) for c in range(1, 41)])
    real_mark_sent = OutboxRepository.mark_sent
    calls = 0

    class Crash(BaseException):
        pass

    async def crashing_mark_sent(
        repository: OutboxRepository, message_id: int, **how: Any
    ) -> None:
        nonlocal calls
        calls += 1
        if calls == 17:
            raise Crash  # the process dies after Telegram took message 17
        await real_mark_sent(repository, message_id, **how)

    monkeypatch.setattr(OutboxRepository, "mark_sent", crashing_mark_sent)
    sender, _clock = simulated_sender(db, bot, server)
    with pytest.raises(Crash):
        await sender.drain()
    monkeypatch.setattr(OutboxRepository, "mark_sent", real_mark_sent)

    # The restarted process has a new worker id: it takes the rows once the lease is over.
    restarted, _clock = simulated_sender(db, bot, server, wall_offset=CLAIM_LEASE)
    await restarted.drain()
    received = Counter(m.chat_id for m in server.sent)
    assert set(received) == set(range(1, 41))
    repeats = sum(n - 1 for n in received.values())
    assert repeats <= 1


async def test_wake_makes_the_running_sender_drain(
    db: Database, bot: Bot, server: FakeBotApi
) -> None:
    sender = OutboxSender(db, bot)
    task = asyncio.create_task(sender.run())
    try:
        await asyncio.sleep(0.05)
        await each(db).outbox.enqueue([text_message(3)])
        sender.wake()
        message = await server.wait_for_message(3, timeout=2)
        assert message.text == "<b>日报</b> 0"
    finally:
        task.cancel()


OPERATOR = 9_000


async def test_a_payload_that_cannot_become_a_request_fails_at_once(
    db: Database, bot: Bot, server: FakeBotApi
) -> None:
    # Buttons that are not rows of [label, action]: no keyboard can be made of them.
    broken = OutgoingMessage("broken", 1, "notice", {"text": "x", "buttons": "x"})
    await each(db).outbox.enqueue([broken, text_message(2)])
    sender = OutboxSender(db, bot, operator_chat_ids=(OPERATOR,))
    assert await sender.drain() == 2  # the other row, then the operators' alert
    rows = {m.key: m for m in await each(db).outbox.rows()}
    assert rows["broken"].status == "failed" and rows["broken"].attempts == 1
    assert rows["broken"].last_error
    assert not server.calls_to("sendMessage", ok=False)  # nothing went to Telegram for it
    [alert] = server.messages_to(OPERATOR)
    assert "broken" in alert.content


class FaultyRateLimiter(BaseRateLimiter[None]):
    """A rate limiter with a bug that shows for one chat: not Telegram's doing."""

    def __init__(self, chat_id: int) -> None:
        self.chat_id = chat_id

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(  # type: ignore[override]
        self, callback: Any, args: Any, kwargs: Any, endpoint: str, data: dict[str, Any],
        rate_limit_args: None,
    ) -> Any:
        if data.get("chat_id") == self.chat_id:
            raise RuntimeError("limiter fault")
        return await callback(*args, **kwargs)


async def test_an_unexpected_error_is_retried_then_failed_and_told_once(
    db: Database, server: FakeBotApi
) -> None:
    await each(db).outbox.enqueue([text_message(1)])
    wall = [1000.0]
    async with ExtBot(TOKEN, base_url=server.base_url, request=ObservedRequest(),
                      rate_limiter=FaultyRateLimiter(chat_id=1)) as bot:
        sender = OutboxSender(db, bot, wall_clock=lambda: wall[0], operator_chat_ids=(OPERATOR,))
        for attempt in range(1, MAX_ATTEMPTS):
            assert await sender.drain() == 0
            [row] = await each(db).outbox.rows(chat_id=1)
            assert row.status == "pending" and row.attempts == attempt
            assert row.not_before > wall[0] and "limiter fault" in (row.last_error or "")
            wall[0] = row.not_before
        assert await sender.drain() == 1  # the operators' alert
    [row] = await each(db).outbox.rows(chat_id=1)
    assert row.status == "failed" and row.attempts == MAX_ATTEMPTS
    [alert] = server.messages_to(OPERATOR)
    assert f"试了 {MAX_ATTEMPTS} 次" in alert.content and "digest" in alert.content
    assert server.messages_to(1) == []
