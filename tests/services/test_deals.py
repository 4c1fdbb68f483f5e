"""成交了吗 without Telegram: who is asked when, the two-ask limit, each side's quantity,
the lesser of two answers, closing at zero, and the digest's deal figures."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.matching.area import CITY, Area
from bot.matching.clock import local_today
from bot.matching.deals import Amount, Price
from bot.services import deals
from bot.services.deals import DealResult, enqueue_deal_questions
from bot.services.digest import load_bundle, load_digest
from bot.services.interest import express_interest
from bot.services.match_index import ListingIndex
from storage.database import Database
from tests.backends import cli_args
from tests.services.factories import buyer, cabbage, grower, publish
from tests.services.test_listings_and_interest import TZ
from tests.stores import each

DAY = 24 * 3600.0
ASK_HOURS = 24.0


@pytest.fixture
async def db(database_target: str) -> AsyncIterator[Database]:
    database = await Database.open(database_target)
    yield database
    await database.close()


async def exchanged(db: Database, *, grower_id: int = 1001, buyer_id: int = 2002,
                    need_price: float | None = 2.0) -> tuple[int, int, int, int, int]:
    """A buyer's need of 1500 kg (3000 斤, at most 1 元/斤) and a grower's offer of
    2500 kg at 0.8 元/斤, matched, both said 我有意向: (match, grower, buyer, need, offer)."""
    index = ListingIndex(db)
    g = await grower(db, grower_id, phone="13800000001")
    b = await buyer(db, buyer_id)
    need = await publish(db, index, cabbage(
        b.telegram_id, kind="need", quantity=1500.0, quantity_as_written=3000.0,
        price=need_price, price_bound="max"))
    offer = await publish(db, index, cabbage(g.telegram_id))
    [view] = [v for v in offer.matches if v.other.id == need.listing.id]
    assert view.record is not None
    for user in (b.telegram_id, g.telegram_id):
        async with db.write() as uow:
            await express_interest(uow, view.record.id, user)
            await uow.commit()
    match = await each(db).matches.get(view.record.id)
    assert match is not None and match.contacts_exchanged_at is not None
    return view.record.id, g.telegram_id, b.telegram_id, need.listing.id, offer.listing.id


async def ask(db: Database, now: float) -> int:
    async with db.write() as uow:
        added = await enqueue_deal_questions(uow, now, ASK_HOURS)
        await uow.commit()
    return added


async def answer(db: Database, match_id: int, user_id: int, choice: str, now: float
                 ) -> DealResult:
    async with db.write() as uow:
        result = await deals.answer(uow, match_id, user_id, choice, now)
        await uow.commit()
    return result


async def dealt(db: Database, match_id: int, user_id: int, amount: Amount | None,
                price: Price | None = None, now: float | None = None) -> DealResult:
    async with db.write() as uow:
        result = await deals.record_deal(uow, match_id, user_id, amount, price,
                                         time.time() if now is None else now)
        await uow.commit()
    return result


async def questions(db: Database) -> list[tuple[str, int]]:
    return sorted((m.key, m.chat_id) for m in await each(db).outbox.rows(kind="deal"))


async def test_each_side_is_asked_once_a_day_after_the_exchange(db: Database) -> None:
    match_id, g, b, _, _ = await exchanged(db)
    start = time.time()
    assert await ask(db, start + DAY - 60) == 0  # not a day yet
    assert await ask(db, start + DAY + 1) == 2
    assert await questions(db) == sorted([(f"deal:{match_id}:need:1", b),
                                          (f"deal:{match_id}:offer:1", g)])
    [question] = [m for m in await each(db).outbox.rows(kind="deal") if m.chat_id == g]
    payload = json.loads(question.payload)
    assert "成交了吗" in payload["text"] and "丹尼斯超市" in payload["text"]
    assert [label for label, _ in payload["buttons"][0]] == ["✅ 成交了", "💬 还在谈", "❌ 没成交"]
    # Asked again and again (every worker runs the job): nobody is asked twice.
    assert await ask(db, start + DAY + 2) == 0
    assert await ask(db, start + 5 * DAY) == 0
    assert len(await questions(db)) == 2


async def test_a_match_without_an_exchange_is_never_asked(db: Database) -> None:
    index = ListingIndex(db)
    g, b = await grower(db), await buyer(db)
    await publish(db, index, cabbage(b.telegram_id, kind="need", price=None))
    offer = await publish(db, index, cabbage(g.telegram_id))
    assert offer.matches
    assert await ask(db, time.time() + 10 * DAY) == 0


async def test_talking_is_asked_once_more_a_day_later_and_never_a_third_time(
    db: Database
) -> None:
    match_id, g, b, _, _ = await exchanged(db)
    start = time.time()
    await ask(db, start + DAY + 1)
    said = start + DAY + 100
    assert (await answer(db, match_id, b, "talk", said)).outcome == "talking"
    assert (await answer(db, match_id, g, "no", said)).outcome == "no"
    assert await ask(db, said + DAY - 60) == 0
    assert await ask(db, said + DAY + 1) == 1
    assert await questions(db) == sorted([
        (f"deal:{match_id}:need:1", b), (f"deal:{match_id}:offer:1", g),
        (f"deal:{match_id}:need:2", b)])
    again = said + DAY + 100
    assert (await answer(db, match_id, b, "talk", again)).outcome == "talking_last"
    assert await ask(db, again + 10 * DAY) == 0
    assert len(await questions(db)) == 3
    # 没成交 is final; a later 成交了 from that side changes nothing.
    assert (await answer(db, match_id, g, "done", again)).outcome == "final"
    assert (await dealt(db, match_id, g, Amount(100.0, "kg"))).outcome == "final"


async def test_two_workers_asking_at_once_ask_each_side_once(db: Database) -> None:
    _, g, b, _, _ = await exchanged(db)
    other = await Database.open(db.path)
    try:
        now = time.time() + DAY + 1
        added = await asyncio.gather(ask(db, now), ask(other, now), ask(db, now))
    finally:
        await other.close()
    assert sum(added) == 2
    assert sorted(chat for _, chat in await questions(db)) == sorted([g, b])


async def test_only_a_side_that_was_asked_may_answer(db: Database) -> None:
    match_id, _, b, _, _ = await exchanged(db)
    stranger = await buyer(db, 3003)
    # Before the question went out, a press is forged data.
    assert (await answer(db, match_id, b, "done", time.time())).outcome == "refused"
    assert (await dealt(db, match_id, b, Amount(1.0, "kg"))).outcome == "refused"
    await ask(db, time.time() + DAY + 1)
    assert (await answer(db, match_id, stranger.telegram_id, "done", time.time())).outcome \
        == "refused"
    assert (await dealt(db, match_id, stranger.telegram_id, Amount(1.0, "kg"))).outcome \
        == "refused"
    assert (await answer(db, 999999, b, "no", time.time())).outcome == "refused"
    assert (await each(db).deals.of_match(match_id)).keys() == {"need", "offer"}
    assert all(a.answer is None for a in (await each(db).deals.of_match(match_id)).values())


async def test_each_answer_lowers_only_its_own_listing(db: Database) -> None:
    match_id, g, b, need_id, offer_id = await exchanged(db)
    await ask(db, time.time() + DAY + 1)
    # 成交了 proposes the lesser of the two listings, in the side's own unit.
    asked = await answer(db, match_id, b, "done", time.time())
    assert asked.outcome == "ask_amount" and asked.proposal is not None
    assert asked.proposal.amount == Amount(1500.0, "kg")
    assert asked.proposal.price == Price(1.6, "kg")  # the offer's asking price
    result = await dealt(db, match_id, b, Amount(1000.0, "kg"))
    assert result.outcome == "recorded" and result.left == Amount(500.0, "kg")
    need, offer = await each(db).listings.get(need_id), await each(db).listings.get(offer_id)
    assert need is not None and offer is not None
    assert (need.quantity, need.quantity_as_written) == (500.0, 1000.0)  # 斤 scaled too
    assert offer.quantity == 2500.0
    result = await dealt(db, match_id, g, Amount(1200.0, "kg"))
    assert result.left == Amount(1300.0, "kg")
    offer = await each(db).listings.get(offer_id)
    need = await each(db).listings.get(need_id)
    assert offer is not None and need is not None
    assert (offer.quantity, need.quantity) == (1300.0, 500.0)
    # An answer is final: the side cannot lower its listing twice.
    assert (await dealt(db, match_id, g, Amount(1200.0, "kg"))).outcome == "final"
    assert (await each(db).listings.get(offer_id)).quantity == 1300.0  # type: ignore[union-attr]


async def test_nothing_left_keeps_the_listing_open_until_its_owner_closes_it(
    db: Database
) -> None:
    match_id, _, b, need_id, _ = await exchanged(db)
    await ask(db, time.time() + DAY + 1)
    result = await dealt(db, match_id, b, Amount(2000.0, "kg"))
    assert result.left == Amount(0.0, "kg")
    need = await each(db).listings.get(need_id)
    assert need is not None and need.status == "open" and need.quantity == 0.0


async def test_the_digest_counts_the_lesser_of_two_answers(db: Database) -> None:
    match_id, g, b, _, _ = await exchanged(db)
    await ask(db, time.time() + DAY + 1)
    await dealt(db, match_id, b, Amount(1000.0, "kg"), Price(1.5, "kg"))
    today = local_today(TZ)

    async def figures(area: Area = CITY):  # type: ignore[no-untyped-def]
        async with db.read() as uow:
            return (await load_digest(uow, area, today, TZ)).deals

    one = await figures()
    assert one.today.count == one.to_date.count == 1
    assert one.to_date.by_product == {"大白菜": {"kg": 1000.0}}
    assert one.to_date.by_category == {"蔬菜": {"kg": 1000.0}}
    assert (one.exchanges, one.deal_rate_pct) == (1, 100.0)
    assert one.price_vs_listed_pct == 93.8  # 1.5 against the offer's 1.6 元/kg
    await dealt(db, match_id, g, Amount(1200.0, "kg"), Price(1.6, "kg"))
    both = await figures()
    assert both.to_date.count == 1 and both.today.by_product == {"大白菜": {"kg": 1000.0}}
    assert both.price_vs_listed_pct == 96.9  # (1.5 + 1.6) / 2 against 1.6
    # A second exchange that became no deal halves the rate.
    await exchanged(db, grower_id=1005, buyer_id=2006)
    assert (await figures()).deal_rate_pct == 50.0
    # Both listings lie in 宝丰县张八桥镇: elsewhere there is no deal.
    elsewhere = await figures(Area("叶县"))
    assert (elsewhere.to_date.count, elsewhere.exchanges, elsewhere.deal_rate_pct) == (
        0, 0, None)


async def test_a_deal_of_an_earlier_day_counts_to_date_not_today(db: Database) -> None:
    match_id, _, b, _, _ = await exchanged(db)
    await ask(db, time.time() + DAY + 1)
    await dealt(db, match_id, b, Amount(800.0, "kg"), now=time.time() - 3 * DAY)
    async with db.read() as uow:
        figures = (await load_digest(uow, CITY, local_today(TZ), TZ)).deals
    assert (figures.today.count, figures.to_date.count) == (0, 1)
    assert figures.to_date.by_product == {"大白菜": {"kg": 800.0}}


async def test_the_text_digest_and_the_workbook_hold_the_deals(db: Database) -> None:
    match_id, g, b, _, _ = await exchanged(db)
    await ask(db, time.time() + DAY + 1)
    await dealt(db, match_id, b, Amount(1000.0, "kg"), Price(1.5, "kg"))
    await dealt(db, match_id, g, Amount(1200.0, "kg"))
    async with db.read() as uow:
        found = await load_bundle(uow, Area("宝丰县"), local_today(TZ), TZ)
    text = "\n".join(found.messages)
    assert "当日 1 笔，累计 1 笔" in text and "成交率 100%" in text
    assert "成交价平均为挂牌价的 93.8%" in text and "大白菜：1,000公斤" in text
    assert "蔬菜：1,000公斤" in text  # to date, by category
    rows = list(load_workbook(io.BytesIO(found.workbook), read_only=True)["成交"]
                .iter_rows(values_only=True))
    assert rows[0] == ("期间", "项目", "名称", "数量", "单位")
    assert ("当日", "成交笔数", None, 1, "笔") in rows
    assert ("累计", "成交率", None, 100.0, "%") in rows
    assert ("当日", "品种", "大白菜", 1000, "公斤") in rows
    assert ("累计", "分类", "蔬菜", 1000, "公斤") in rows


async def test_farmdock_digest_json_gives_the_deals_object(db: Database, tmp_path: Path
                                                          ) -> None:
    match_id, g, b, _, _ = await exchanged(db)
    await ask(db, time.time() + DAY + 1)
    await dealt(db, match_id, b, Amount(1000.0, "kg"))
    await dealt(db, match_id, g, Amount(1200.0, "kg"), Price(1.2, "kg"))
    out = tmp_path / "digest.json"
    # The command runs its own event loop: in a thread of its own.
    assert await asyncio.to_thread(main, [
        "digest", *cli_args(db.path), "--format", "json", "--region", "宝丰县",
        "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["deals"] == {
        "today": {"count": 1, "by_product": {"大白菜": {"kg": 1000.0}}},
        "to_date": {"count": 1, "by_product": {"大白菜": {"kg": 1000.0}}},
        "exchanges": 1, "deal_rate_pct": 100.0, "price_vs_listed_pct": 75.0,
    }
