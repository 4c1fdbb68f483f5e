"""One send budget for replies and the outbox: a reply to someone who typed goes first."""

from __future__ import annotations

import asyncio

from telegram.ext import Application

from bot.services.runtime import SERVICES_KEY
from bot.telegram.transport import SendBudget
from bot.texts import common as texts
from storage.outbox import OutgoingMessage
from tests.fake_bot_api import FakeBotApi, SimulatedClock
from tests.stores import each

BROADCAST = range(1, 301)  # chats that get a notice each: ten seconds at 30 a second


async def test_replies_waiting_go_before_the_background_and_in_order() -> None:
    budget = SendBudget(10)  # real time: a send every 0.1 s
    order: list[str] = []

    async def take(name: str, interactive: bool) -> None:
        await budget.take(interactive=interactive)
        order.append(name)

    await take("outbox 1", False)  # the send just granted: everyone waits for its interval
    waiting = [asyncio.create_task(take("outbox 2", False))]
    await asyncio.sleep(0)  # the outbox waits first ...
    waiting += [asyncio.create_task(take(f"reply {n}", True)) for n in (1, 2, 3)]
    await asyncio.gather(*waiting)
    # ... yet the replies that came while it waited go before it, in the order they came.
    assert order == ["outbox 1", "reply 1", "reply 2", "reply 3", "outbox 2"]
    assert budget.granted == {True: 3, False: 2}


async def test_the_outbox_keeps_off_a_chat_in_conversation() -> None:
    clock = SimulatedClock()
    budget = SendBudget(30, clock=clock.monotonic, sleep=clock.sleep)
    await budget.take(interactive=True, chat_id=7)  # a reply: 7 is mid-conversation
    assert await budget.take(interactive=False, chat_id=7) is False
    assert await budget.take(interactive=False, chat_id=8) is True
    assert set(budget.busy_chats()) == {7, 8}  # 8 for Telegram's second per chat
    sent_to_8 = clock.monotonic()
    # A reply to 8 waits out that second rather than draw a 429; one to 7 does not wait.
    await budget.take(interactive=True, chat_id=8)
    assert clock.monotonic() >= sent_to_8 + 1.0
    before = clock.monotonic()
    await budget.take(interactive=True, chat_id=7)
    assert clock.monotonic() - before < 0.1
    clock.advance(5.0)
    assert budget.busy_chats() == {}
    assert await budget.take(interactive=False, chat_id=7) is True


async def test_during_a_broadcast_replies_go_first_and_the_limits_hold(
    make_user, fake_api: FakeBotApi, farmdock: Application
) -> None:
    limits = fake_api.enable_limits()  # Telegram's: 30 a second overall, 1 per chat
    db = farmdock.bot_data[SERVICES_KEY].db
    await each(db).outbox.enqueue([
        OutgoingMessage(f"2026-05-09|{chat}|digest", chat, "digest",
                        {"method": "sendMessage", "text": f"日报 {chat}"})
        for chat in BROADCAST
    ])
    farmdock.bot_data[SERVICES_KEY].wake_outbox()
    await fake_api.wait_until(lambda: len(fake_api.sent) >= 30, timeout=10)

    people = [make_user() for _ in range(20)]
    for person in people:  # twenty people ask at once, mid-broadcast
        person.send("/help")
    for person in people:
        assert (await person.next_message(timeout=10)).text == texts.HELP

    order = [m.chat_id for m in fake_api.sent]
    asked = {p.id for p in people}
    first = min(i for i, chat in enumerate(order) if chat in asked)
    last = max(i for i, chat in enumerate(order) if chat in asked)
    notices_between = sum(1 for chat in order[first:last] if chat not in asked)
    # The outbox had at most the notice in flight when the first reply was granted.
    assert notices_between <= 1, f"{notices_between} notices went between the replies"
    await fake_api.wait_until(lambda: len(fake_api.sent) >= last + 30, timeout=10)
    assert limits.rejected == 0
