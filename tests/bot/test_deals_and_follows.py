"""成交了吗 and 关注 end to end: the real bot, the fake Bot API, a real database.

Contacts are exchanged, the 成交了吗 job runs on a clock a day on, both sides answer
成交了 with different quantities; the next morning's digest counts the lesser and both
listings have less left. A follower gets one notice per new listing up to the cap, and
stops them with 取消关注.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import Application

from bot.cli.digest import digest_json
from bot.handlers import jobs
from bot.matching.area import Area
from bot.matching.clock import local_today
from bot.services.digest import load_digest
from bot.services.runtime import SERVICES_KEY
from bot.settings import Settings, load_settings
from storage.database import Database
from tests.backends import settings_env
from tests.bot.conftest import TOKEN, eventually, post_and_confirm, press, sign_up
from tests.fake_bot_api import FakeBotApi, FakeUser
from tests.stores import each

TZ = ZoneInfo("Asia/Shanghai")
CAP = 2
GROWER_PHONE = "13800000001"
BUYER_PHONE = "13900000002"


@pytest.fixture
def settings(fake_api: FakeBotApi, database_target: str) -> Settings:
    """The bot's settings, with a daily cap of follow notices small enough to reach."""
    return load_settings({
        "FARMDOCK_TOKEN": TOKEN, "FARMDOCK_API_BASE_URL": fake_api.base_url,
        **settings_env(database_target), "FARMDOCK_OPERATOR_CHAT_IDS": "",
        "FARMDOCK_FOLLOW_NOTICES_PER_DAY": str(CAP),
    }, env_file=None)


async def _pair(make_user) -> tuple[FakeUser, FakeUser]:
    grower = make_user("王师傅")
    buyer = make_user("李经理")
    await sign_up(grower, phone=GROWER_PHONE)
    await sign_up(buyer, role="采购方", name="李经理", organisation="丹尼斯超市",
                  county="宝丰县", township="张八桥镇", phone=BUYER_PHONE)
    return grower, buyer


async def _exchange(grower: FakeUser, buyer: FakeUser) -> None:
    """The buyer needs 3000 斤, the grower offers 5000 斤; both say 我有意向."""
    await post_and_confirm(buyer, "求购大白菜3000斤，1元/斤以内")
    await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    notice = await buyer.next_message(lambda m: "🔔" in m.content, timeout=15)
    buyer.press(notice, "意向")
    nudge = await grower.next_message(lambda m: "👋" in m.content, timeout=15)
    grower.press(nudge, "意向")
    await grower.next_message(lambda m: BUYER_PHONE in m.content, timeout=15)
    await buyer.next_message(lambda m: GROWER_PHONE in m.content, timeout=15)


async def _answer_done(user: FakeUser, typed: str) -> str:
    """Press 成交了 under the question and type the quantity; the bot's receipt."""
    question = await user.next_message(lambda m: "成交了吗" in m.content, timeout=15)
    assert {"✅ 成交了", "💬 还在谈", "❌ 没成交"} <= set(question.button_texts())
    asked = await press(user, question, "成交了")
    assert "成交了多少" in asked.content
    assert any("按" in t for t in asked.button_texts())  # the proposal, one tap away
    user.send(typed)
    return (await user.next_message(lambda m: "已记录成交" in m.content)).content


async def test_both_sides_answer_and_the_digest_counts_the_lesser(
    make_user, farmdock: Application, fake_api: FakeBotApi, db: Database
) -> None:
    grower, buyer = await _pair(make_user)
    official = make_user("张科长")
    await each(db).users.upsert(official.id, role="official", name="张科长", county="宝丰县")
    await _exchange(grower, buyer)
    services = farmdock.bot_data[SERVICES_KEY]
    # Not a day yet: nobody is asked.
    assert await jobs.ask_deals(services, now=time.time() + 3600) == 0
    # A day on (the job runs on every worker, and again and again): each side once.
    a_day_on = time.time() + 24 * 3600 + 60
    assert await jobs.ask_deals(services, now=a_day_on) == 2
    assert await jobs.ask_deals(services, now=a_day_on + 600) == 0

    receipt = await _answer_done(grower, "2400斤")
    assert "2400 斤" in receipt and "还剩 2600 斤" in receipt
    receipt = await _answer_done(buyer, "2000斤 0.9元/斤")
    assert "2000 斤" in receipt and "还剩 1000 斤" in receipt
    [offer] = await each(db).listings.of_user(grower.id)
    [need] = await each(db).listings.of_user(buyer.id)
    assert (offer.quantity, need.quantity) == (1300.0, 500.0)

    # The next morning's digest to the county's official: one deal, the lesser quantity.
    today = local_today(TZ)
    morning = datetime.combine(today + timedelta(days=1), datetime.min.time(), TZ) \
        + timedelta(hours=8, minutes=5)
    assert await jobs.morning_messages(services, now=morning.timestamp()) > 0
    # (The catch-up may have sent yesterday's digest first, at start-up.)
    title = f"{today.month}月{today.day}日（"
    digest = await official.next_message(lambda m: title in m.content and "成交" in m.content,
                                         timeout=15)
    assert "当日 1 笔，累计 1 笔" in digest.content
    assert "大白菜：1,000公斤" in digest.content
    assert "成交率 100%" in digest.content
    async with db.read() as uow:
        data = digest_json(await load_digest(uow, Area("宝丰县"), today, TZ))
    assert data["deals"] == {
        "today": {"count": 1, "by_product": {"大白菜": {"kg": 1000.0}}},
        "to_date": {"count": 1, "by_product": {"大白菜": {"kg": 1000.0}}},
        "exchanges": 1, "deal_rate_pct": 100.0,
        # The buyer dealt at 0.9 元/斤, the grower gave no price: against 0.8 listed.
        "price_vs_listed_pct": 112.5,
    }


async def test_nothing_left_asks_the_owner_who_closes_it(
    make_user, farmdock: Application, db: Database
) -> None:
    grower, buyer = await _pair(make_user)
    await _exchange(grower, buyer)
    await jobs.ask_deals(farmdock.bot_data[SERVICES_KEY], now=time.time() + 25 * 3600)
    question = await buyer.next_message(lambda m: "成交了吗" in m.content, timeout=15)
    asked = await press(buyer, question, "成交了")
    # The proposal: the lesser of the two listings, 3000 斤 at the listed 0.8 元/斤.
    assert "3000 斤" in asked.content and "0.8 元/斤" in asked.content
    recorded = await press(buyer, asked, "按")
    assert "还剩 0 斤" in recorded.content
    ask_close = await buyer.next_message(lambda m: "没有剩余" in m.content)
    [need] = await each(db).listings.of_user(buyer.id)
    assert need.status == "open"  # not closed before its owner says so
    buyer.press(ask_close, "关闭")
    # The question turns into the receipt (edited in place).
    await buyer.server.wait_for_message(
        buyer.id, lambda m: m.message_id == ask_close.message_id and "已标记成交" in m.content,
        timeout=buyer.patience)
    assert await each(db).listings.of_user(buyer.id) == []
    [offer] = await each(db).listings.of_user(grower.id)
    assert offer.quantity == 2500.0  # the grower has not answered: theirs is untouched


async def test_talking_then_no_and_a_stranger_is_refused(
    make_user, farmdock: Application, fake_api: FakeBotApi, db: Database
) -> None:
    grower, buyer = await _pair(make_user)
    stranger = make_user("外人")
    await sign_up(stranger, role="采购方", name="钱", county="郏县", township=None)
    await _exchange(grower, buyer)
    services = farmdock.bot_data[SERVICES_KEY]
    start = time.time()
    await jobs.ask_deals(services, now=start + 25 * 3600)
    question = await grower.next_message(lambda m: "成交了吗" in m.content, timeout=15)
    [offer] = await each(db).listings.of_user(grower.id)
    [match] = await each(db).matches.of_listing(offer.id)
    answer = await fake_api.wait_for_callback_answer(stranger.press_data(f"deal:done:{match.id}"))
    assert "不属于您" in answer.get("text", "")
    assert (await press(grower, question, "还在谈")).content.startswith("好的，祝谈得顺利")
    # Asked once more a day after 还在谈, never a third time.
    assert await jobs.ask_deals(services, now=time.time() + 23 * 3600) == 0
    assert await jobs.ask_deals(services, now=time.time() + 24 * 3600 + 60) == 1
    again = await grower.next_message(lambda m: "再问一次" in m.content, timeout=15)
    assert "没有成交" in (await press(grower, again, "没成交")).content
    assert await jobs.ask_deals(services, now=time.time() + 10 * 24 * 3600) == 0
    refused = await each(db).audit.entries(action="security.refused_callback")
    assert [e.actor_id for e in refused] == [stranger.id]


async def test_a_follower_gets_one_notice_per_listing_up_to_the_cap(
    make_user, farmdock: Application, db: Database
) -> None:
    grower, buyer = await _pair(make_user)
    buyer.send("/follow 大白菜")
    followed = await buyer.next_message()
    assert "已关注 大白菜（全市）" in followed.content and f"最多 {CAP} 条" in followed.content
    for line in ("出售大白菜5000斤，0.8元/斤", "出售大白菜2000斤，0.9元/斤",
                 "出售大白菜800斤，1元/斤"):
        await post_and_confirm(grower, line)
    first = await buyer.next_message(lambda m: "⭐ 您关注的" in m.content, timeout=15)
    await buyer.next_message(lambda m: "⭐ 您关注的" in m.content, timeout=15)

    async def all_sent() -> bool:
        rows = await each(db).outbox.rows(kind="follow")
        return len(rows) == CAP and all(r.status == "sent" for r in rows)

    await eventually(all_sent, within=15)
    assert sum("⭐ 您关注的" in m.content for m in buyer.messages) == CAP  # the third: capped
    assert not any(GROWER_PHONE in m.content for m in buyer.messages)
    # 取消关注 on a notice: /following is empty, and no notice comes any more.
    unfollowed = await press(buyer, first, "取消关注")
    assert "已取消关注" in unfollowed.content
    buyer.send("/following")
    assert "还没有关注" in (await buyer.next_message()).content
    assert await each(db).follows.of_user(buyer.id) == []


async def test_follow_from_a_match_list_and_following_removes(
    make_user, farmdock: Application, db: Database
) -> None:
    grower, buyer = await _pair(make_user)
    await post_and_confirm(buyer, "求购大白菜3000斤，1元/斤以内")
    await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    buyer.send("/matches")
    listed = await buyer.next_message(lambda m: "的匹配" in m.content)
    followed = await press(buyer, listed, "关注大白菜")
    assert "已关注 大白菜" in followed.content
    buyer.send("/follow 土豆 叶县")
    assert "已关注 土豆（叶县）" in (await buyer.next_message()).content
    buyer.send("/following")
    mine = await buyer.next_message()
    assert "1. 大白菜（全市）" in mine.content and "2. 土豆（叶县）" in mine.content
    assert "已取消关注" in (await press(buyer, mine, "取消关注 1")).content
    assert [f.product for f in await each(db).follows.of_user(buyer.id)] == ["土豆"]
    # Another's follow or listing is refused: ids in callback data are never trusted.
    [potato] = await each(db).follows.of_user(buyer.id)
    [need] = await each(db).listings.of_user(buyer.id)
    for data in (f"fol:rm:{potato.id}", f"fol:add:{need.id}"):
        grower.press_data(data)
    await eventually(lambda: _refused(db, 2))
    assert [f.product for f in await each(db).follows.of_user(buyer.id)] == ["土豆"]
    assert await each(db).follows.of_user(grower.id) == []


async def _refused(db: Database, count: int) -> bool:
    return len(await each(db).audit.entries(action="security.refused_callback")) >= count


async def test_an_official_follows_only_within_their_area(
    make_user, farmdock: Application, db: Database
) -> None:
    official = make_user("张科长")
    await each(db).users.upsert(official.id, role="official", name="张科长", county="宝丰县")
    official.send("/follow 大白菜 叶县")
    assert "只能关注自己辖区（宝丰县）" in (await official.next_message()).content
    official.send("/follow 大白菜 宝丰县某某镇")
    assert "没找到地区" in (await official.next_message()).content
    official.send("/follow 大白菜")
    assert "已关注 大白菜（宝丰县）" in (await official.next_message()).content
    assert [(f.product, f.county) for f in await each(db).follows.of_user(official.id)] == [
        ("大白菜", "宝丰县")]
