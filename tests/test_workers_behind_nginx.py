"""Three webhook workers behind nginx, one killed mid-way and started again: every
confirmed listing is stored once, every notice, contact card and digest arrives, every
conversation completes."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path

from bot.matching.area import CITY
from storage.database import Database
from tests.bot.conftest import post_and_confirm
from tests.fake_bot_api import FakeBotApi, FakeUser, SentMessage
from tests.reverse_proxy import nginx_in_front
from tests.stores import each
from tests.test_run_command import (
    PUBLIC_WEBHOOK_URL,
    WEBHOOK_SECRET,
    free_port,
    start_bot,
    stop_bot,
)

WORKERS = 3
OFFICIALS = [(7001, None), (7002, "宝丰县")]  # the city's and a county's
# One product a pair of users, none a variety or a neighbour of another.
PRODUCTS = ["大白菜", "土豆", "西红柿", "黄瓜", "茄子", "芹菜", "菠菜", "韭菜", "洋葱", "大葱",
            "胡萝卜", "南瓜", "冬瓜", "莲藕", "山药", "生姜", "大蒜", "香菇", "苹果", "梨",
            "鸡蛋", "大米", "面粉", "猪肉", "豆腐"]
# A reply a killed worker had committed but not sent goes out through another worker's
# outbox once its grace has passed (30 s): a user may wait that long for it.
PATIENCE = 60.0


async def _start(fake_api: FakeBotApi, db: str, port: int) -> asyncio.subprocess.Process:
    return await start_bot(fake_api, db, WEBHOOK_URL=PUBLIC_WEBHOOK_URL,
                           WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port),
                           WEBHOOK_SECRET=WEBHOOK_SECRET,
                           # Long past: each worker's start-up wants yesterday's digests out.
                           DIGEST_TIME="00:00")


async def _sign_up(user: FakeUser, *, role: str, name: str, organisation: str, county: str,
                   township: str, phone: str) -> None:
    """The /start conversation, each step waiting for its own question: a reply a killed
    worker had sent is sent again by the outbox (once), and is passed over."""

    def offers(text: str) -> Callable[[SentMessage], bool]:
        return lambda m: any(text in t for t in m.button_texts())

    user.start()
    user.press(await user.next_message(offers(role)), role)
    await user.next_message(lambda m: "称呼" in m.content)
    user.send(name)
    await user.next_message(lambda m: "单位" in m.content)
    user.send(organisation)
    user.press(await user.next_message(offers(county)), county)
    user.press(await user.next_message(offers(township)), township)
    await user.next_message(lambda m: "手机号" in m.content)
    user.share_contact(phone)
    await user.next_message(lambda m: "注册完成" in m.content)


def _phone(pair: int, side: int) -> str:
    return f"13{side}00{pair:06d}"


class SignUps:
    """Counts users signed up; ``halfway`` is set once half of ``total`` are."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.halfway = asyncio.Event()

    def one_more(self) -> None:
        self.done += 1
        if self.done * 2 >= self.total:
            self.halfway.set()


async def _buyer(user: FakeUser, pair: int, product: str, signed_up: SignUps,
                 need_published: asyncio.Event) -> None:
    await _sign_up(user, role="采购方", name=f"采购{pair}", organisation=f"超市{pair}",
                   county="湛河区", township="姚孟街道", phone=_phone(pair, 9))
    signed_up.one_more()
    await post_and_confirm(user, f"求购{product}1000斤，2元/斤以内")
    need_published.set()
    notice = await user.next_message(lambda m: "🔔" in m.content and product in m.content)
    user.press(notice, "意向")
    await user.next_message(lambda m: _phone(pair, 8) in m.content)


async def _grower(user: FakeUser, pair: int, product: str, signed_up: SignUps,
                  need_published: asyncio.Event) -> None:
    await _sign_up(user, role="供应方", name=f"农户{pair}", organisation=f"合作社{pair}",
                   county="宝丰县", township="张八桥镇", phone=_phone(pair, 8))
    signed_up.one_more()
    await need_published.wait()
    await post_and_confirm(user, f"出售{product}3000斤，1元/斤")
    nudge = await user.next_message(lambda m: "👋" in m.content)
    user.press(nudge, "意向")
    await user.next_message(lambda m: _phone(pair, 9) in m.content)


async def test_a_worker_killed_mid_way_loses_nothing(
    fake_api: FakeBotApi, make_user, tmp_path: Path, database_target: str
) -> None:
    db = database_target
    async with await Database.open(db) as opened:
        for official, county in OFFICIALS:
            await each(opened).users.upsert(official, role="official", name="值班员",
                                            county=county)
    ports = [free_port() for _ in range(WORKERS)]
    workers = [await _start(fake_api, db, port) for port in ports]
    await fake_api.wait_until(lambda: len(fake_api.calls_to("setWebhook", ok=True)) >= WORKERS,
                              timeout=60, what="every worker's webhook")
    users: list[FakeUser] = []
    try:
        async with nginx_in_front(tmp_path / "nginx", ports, "/farmdock-hook") as url:
            fake_api.deliver_by_webhook([url], WEBHOOK_SECRET, retry_every=0.5)
            flows = []
            signed_up = SignUps(2 * len(PRODUCTS))
            for pair, product in enumerate(PRODUCTS):
                buyer, grower = make_user(f"采购{pair}"), make_user(f"农户{pair}")
                buyer.patience = grower.patience = PATIENCE
                users += [buyer, grower]
                need_published = asyncio.Event()
                flows.append(_buyer(buyer, pair, product, signed_up, need_published))
                flows.append(_grower(grower, pair, product, signed_up, need_published))

            async def kill_one_mid_way() -> None:
                # Half the users signed up: the others are mid-conversation.
                await signed_up.halfway.wait()
                workers[0].send_signal(signal.SIGKILL)
                await workers[0].wait()
                await asyncio.sleep(1)
                workers[0] = await _start(fake_api, db, ports[0])

            await asyncio.gather(kill_one_mid_way(), *flows)
    finally:
        for process in workers:
            if process.returncode is None:
                await stop_bot(process, signal.SIGTERM)
    assert workers[0].returncode == 0  # the restarted one stopped cleanly at the end

    async with await Database.open(db) as opened:
        listings = await each(opened).listings.in_period(0, 2e9, CITY)
        matches = await each(opened).matches.in_period(0, 2e9, CITY)
        digests = {official: await each(opened).outbox.rows(chat_id=official)
                   for official, _ in OFFICIALS}
    # Every confirmed listing once: one need and one offer of each product.
    assert sorted((x.product, x.kind) for x in listings) == sorted(
        (p, kind) for p in PRODUCTS for kind in ("need", "offer"))
    # Every pair met and exchanged contacts, each contact card delivered (a card the
    # killed worker had sent but not marked may come twice, never more).
    assert len(matches) == len(PRODUCTS)
    assert all(m.contacts_exchanged_at is not None for m in matches)
    # Each official's digest was sent, once by one worker.
    for official, rows in digests.items():
        assert rows and all(r.status == "sent" for r in rows), rows
        assert len({r.key for r in rows}) == len(rows)
        assert fake_api.messages_to(official)
    for pair, _ in enumerate(PRODUCTS):
        buyer, grower = users[2 * pair], users[2 * pair + 1]
        assert 1 <= sum(_phone(pair, 8) in m.content for m in buyer.messages) <= 2
        assert 1 <= sum(_phone(pair, 9) in m.content for m in grower.messages) <= 2
