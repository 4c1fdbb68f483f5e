"""Two ``farmdock run`` processes in webhook mode on one database take turns with one
chat's updates: every conversation carries on whichever process gets the next update,
and two updates of one chat arriving at both at once are applied one after the other.
Both drain one outbox, each message sent once, and the day's scheduled run happens
once between them."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

import pytest

from bot.handlers.jobs import MORNING_JOB
from bot.services.digest import DIGEST_KIND
from bot.services.messages import Message, outgoing
from storage.database import Database
from tests.bot.conftest import eventually, press, published, sign_up
from tests.fake_bot_api import FakeBotApi, FakeUser
from tests.stores import each
from tests.test_run_command import (
    PUBLIC_WEBHOOK_URL,
    WEBHOOK_SECRET,
    free_port,
    start_bot,
    stop_bot,
)


async def _workers(
    fake_api: FakeBotApi, db: Path | str, count: int = 2, **settings: str
) -> list[asyncio.subprocess.Process]:
    ports = [free_port() for _ in range(count)]
    processes = [
        await start_bot(fake_api, db, WEBHOOK_URL=PUBLIC_WEBHOOK_URL, WEBHOOK_LISTEN="127.0.0.1",
                        WEBHOOK_PORT=str(port), WEBHOOK_SECRET=WEBHOOK_SECRET,
                        WORKERS=str(count), **settings)
        for port in ports
    ]
    await fake_api.wait_until(lambda: len(fake_api.calls_to("setWebhook", ok=True)) >= count,
                              timeout=60, what="both workers' webhooks")
    # Telegram calls the one public URL; here each call goes to the next worker in turn.
    fake_api.deliver_by_webhook(
        [f"http://127.0.0.1:{port}/farmdock-hook" for port in ports], WEBHOOK_SECRET
    )
    return processes


async def _stop(processes: list[asyncio.subprocess.Process]) -> None:
    for process in processes:
        if process.returncode is None:
            await stop_bot(process, signal.SIGTERM)


def _hosts(fake_api: FakeBotApi, user: FakeUser) -> set[str]:
    return {url for _, url, status in fake_api.webhook_attempts if status == 200}


@pytest.fixture
def db_path(database_target: str) -> str:
    """The one database both workers share (each backend in turn)."""
    return database_target


async def test_each_step_on_another_worker_completes_every_conversation(
    fake_api: FakeBotApi, make_user, db_path: str
) -> None:
    workers = await _workers(fake_api, db_path)
    try:
        grower = make_user("王师傅")
        await sign_up(grower)  # role, name, organisation, county, township, phone
        assert len(_hosts(fake_api, grower)) == 2  # the steps went to both workers

        grower.send("/offer")  # a guided offer: every field asked, in turn
        await grower.next_message(lambda m: "分步" in m.content or "几步" in m.content)
        categories = await grower.next_message(lambda m: bool(m.buttons))
        products = await press(grower, categories, "蔬菜")
        ask_quantity = await press(grower, products, "大白菜")
        assert "数量" in ask_quantity.content
        grower.send("5000斤")
        assert "价格" in (await grower.next_message()).content
        grower.send("0.8元/斤")
        ask_place = await grower.next_message()
        ask_days = await press(grower, ask_place, "我的所在地")
        card = await press(grower, ask_days, "7天")
        assert "大白菜" in card.content and "5000 斤" in card.content
        grower.press(card, "确认")
        await published(grower, card)

        grower.send("出售土豆2吨，1元/斤")  # one line, then 修改 the price
        card = await grower.next_message(lambda m: "确认" in " ".join(m.button_texts()))
        which = await press(grower, card, "修改")
        ask = await press(grower, which, "价格")
        assert "价格" in ask.content
        grower.send("1.2元/斤")
        card = await grower.next_message(lambda m: "确认" in " ".join(m.button_texts()))
        assert "1.2 元/斤" in card.content
        grower.press(card, "确认")
        await published(grower, card)

        grower.send("/mine")  # a /mine edit: the press and the typed value on two workers
        await grower.next_message(lambda m: "2 条" in m.content)
        mine = await grower.next_message(lambda m: "土豆" in m.content)
        grower.press(mine, "改数量")
        await grower.next_message(lambda m: "新数量" in m.content)
        grower.send("3吨")
        await grower.next_message(lambda m: "已更新" in m.content)
    finally:
        await _stop(workers)
    async with await Database.open(db_path) as db:
        stored = {x.product: x for x in await each(db).listings.of_user(grower.id)}
    assert stored["大白菜"].quantity == 2500 and stored["大白菜"].price == 1.6
    assert stored["土豆"].price == 2.4 and stored["土豆"].quantity == 3000


async def test_two_updates_of_one_chat_at_once_are_applied_one_after_the_other(
    fake_api: FakeBotApi, make_user, db_path: str
) -> None:
    workers = await _workers(fake_api, db_path)
    try:
        buyer = make_user("李经理")
        buyer.start()
        welcome = await buyer.next_message()
        ask_name = await press(buyer, welcome, "采购方")
        assert "称呼" in ask_name.content
        # Two answers at the same moment, one to each worker: the name, then the
        # organisation — never both read as the name.
        buyer.send("李经理")
        buyer.send("丹尼斯超市")
        await buyer.next_message(lambda m: "县区" in m.content, timeout=20)
    finally:
        await _stop(workers)
    async with await Database.open(db_path) as db:
        [conversation] = [await each(db).conversations.get(buyer.id)]
    assert conversation.step == "place"
    answers = {conversation.data["name"], conversation.data["organisation"]}
    assert answers == {"李经理", "丹尼斯超市"}


async def test_two_workers_send_every_message_once_and_run_the_days_job_once(
    fake_api: FakeBotApi, db_path: str
) -> None:
    officials = [(7001, None), (7002, "宝丰县"), (7003, "叶县")]
    async with await Database.open(db_path) as db:
        for official, county in officials:
            await each(db).users.upsert(official, role="official", name="值班员", county=county)
        await each(db).outbox.enqueue([
            outgoing(f"2026-05-09|{chat}|note|{n}", chat, "note", Message(f"通知 {chat}-{n}"))
            for chat in range(1, 121) for n in range(2)
        ])
    # The digest time long past: both workers' catch-up wants yesterday's digests out.
    workers = await _workers(fake_api, db_path, DIGEST_TIME="00:00")
    try:
        async with await Database.open(db_path) as db:
            async def drained() -> bool:
                rows = await each(db).outbox.rows()
                digests = {r.chat_id for r in rows if r.kind == DIGEST_KIND}
                return digests == {o for o, _ in officials} and all(
                    r.status == "sent" for r in rows)

            await eventually(drained, within=90)
            rows = await each(db).outbox.rows()
            runs = [await each(db).jobs.get(MORNING_JOB, day) for day in
                    {r.key.split("|")[0] for r in rows if r.kind == DIGEST_KIND}]
    finally:
        await _stop(workers)
    # Every row once: as many messages to each chat as it has rows, no more.
    assert Counter(m.chat_id for m in fake_api.sent) == Counter(r.chat_id for r in rows)
    assert len(fake_api.sent) == len(rows) > 240
    # One run of the morning job, finished, by one of the two.
    [run] = runs
    assert run is not None and run.finished_at is not None
