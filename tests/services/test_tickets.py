"""The hotline's use cases on a real database (each backend): filing and numbering,
routing, every change and who may make it, deadlines, reminders and escalations on a
fake clock, the need a 缺货 ticket becomes, the caller's phone, overdue lists."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.matching.model import CITY_NAME, Place
from bot.services import tickets
from bot.services.match_index import ListingIndex
from bot.services.tickets import TicketRefused
from storage.database import Database
from storage.records import Ticket, User
from tests.services.factories import cabbage, grower, publish
from tests.stores import each

TZ = ZoneInfo("Asia/Shanghai")
# 9 May 2026, 10:00 in Pingdingshan: the fake clock's start.
T0 = datetime(2026, 5, 9, 10, 0, tzinfo=TZ).timestamp()
HOUR = 3600.0
TOWN = Place(city=CITY_NAME, county="宝丰县", township="张八桥镇")


@pytest.fixture
async def db(database_target: str) -> AsyncIterator[Database]:
    database = await Database.open(database_target)
    yield database
    await database.close()


async def person(db: Database, telegram_id: int, role: str, county: str | None = None,
                 township: str | None = None, **fields: object) -> User:
    return await each(db).users.upsert(telegram_id, role=role, county=county,  # type: ignore[arg-type]
                                       township=township, **fields)


async def staff(db: Database) -> dict[str, User]:
    """A citizen of 张八桥镇, officials of the township, its county and the city, one of
    another township and one of another county."""
    return {
        "citizen": await person(db, 21, "citizen", "宝丰县", "张八桥镇", name="张女士"),
        "operator": await person(db, 23, "hotline", name="接线员小李"),
        "town": await person(db, 11, "official", "宝丰县", "张八桥镇"),
        "colleague": await person(db, 12, "official", "宝丰县", "张八桥镇"),
        "county": await person(db, 13, "official", "宝丰县"),
        "city": await person(db, 14, "official"),
        "other_town": await person(db, 15, "official", "宝丰县", "周庄镇"),
        "other_county": await person(db, 16, "official", "叶县"),
    }


async def file(db: Database, filer: User | None, *, now: float = T0, category: str = "缺货",
               what: str = "小区买不到面粉", place: Place = TOWN, **options: object) -> Ticket:
    async with db.write() as uow:
        found = await tickets.file_ticket(uow, filer=filer, category=category, what=what,
                                          place=place, tz=TZ, now=now, **options)  # type: ignore[arg-type]
        await uow.commit()
    return found


async def act(db: Database, ticket: Ticket, who: User, action: str, value: str = "",
              now: float = T0 + 60, **options: object) -> Ticket:
    async with db.write() as uow:
        found = await tickets.act(uow, ticket.id, who, action, value, now=now, tz=TZ,
                                  **options)  # type: ignore[arg-type]
        await uow.commit()
    return found


async def check(db: Database, now: float) -> int:
    async with db.write() as uow:
        added = await tickets.check_deadlines(uow, now=now, tz=TZ)
        await uow.commit()
    return added


async def rows(db: Database, chat_id: int) -> list[dict[str, object]]:
    return [json.loads(r.payload) for r in await each(db).outbox.rows(chat_id=chat_id)]


async def test_numbers_count_per_day_and_never_repeat_across_concurrent_filers(
    db: Database,
) -> None:
    await staff(db)
    first = await file(db, None)
    assert first.number == "RX-20260509-0001"
    many = await asyncio.gather(*(file(db, None) for _ in range(8)))
    numbers = {t.number for t in many} | {first.number}
    assert numbers == {f"RX-20260509-{n:04d}" for n in range(1, 10)}
    next_day = await file(db, None, now=T0 + 24 * HOUR)
    assert next_day.number == "RX-20260510-0001"


async def test_a_ticket_goes_to_the_lowest_staffed_level_of_its_place(db: Database) -> None:
    people = await staff(db)
    town = await file(db, people["citizen"])
    assert (town.owner_county, town.owner_township, town.state) == ("宝丰县", "张八桥镇", "受理")
    # Only the township's officials hear of it, each once, with the button to take it.
    told = {r.chat_id for r in await each(db).outbox.rows(kind="ticket")}
    assert told == {11, 12}
    [notice] = await rows(db, 11)
    assert town.number in str(notice["text"]) and "接单" in json.dumps(notice["buttons"],
                                                                      ensure_ascii=False)
    # 李庄乡 has no official of its own: 宝丰县's; 叶县 has a county official, 鲁山县 none.
    unstaffed = await file(db, None, place=Place(city=CITY_NAME, county="宝丰县",
                                                 township="李庄乡"))
    assert unstaffed.owner_area.label == "宝丰县"
    lushan = await file(db, None, place=Place(city=CITY_NAME, county="鲁山县"))
    assert lushan.owner_area.label == "平顶山市"
    nowhere = await file(db, None, place=Place())
    assert nowhere.owner_area.label == "平顶山市"


async def test_the_whole_loop_each_change_audited_and_told_to_the_filer(db: Database) -> None:
    people = await staff(db)
    citizen, owner = people["citizen"], people["town"]
    ticket = await file(db, citizen)
    ticket = await act(db, ticket, owner, "take")
    assert (ticket.state, ticket.owner_id) == ("派单", 11)
    ticket = await act(db, ticket, owner, "start")
    assert ticket.state == "办理中"
    ticket = await act(db, ticket, owner, "answer", answer="已联系超市明早补货")
    assert (ticket.state, ticket.answer) == ("已答复", "已联系超市明早补货")
    ticket = await act(db, ticket, owner, "close", "已解决")
    assert (ticket.state, ticket.close_reason) == ("办结", "已解决")
    ticket = await act(db, ticket, citizen, "rate", "不满意")
    assert (ticket.state, ticket.rating) == ("办理中", "不满意")
    # Reopened: a new deadline from the moment of the rating, the owner told.
    assert ticket.deadline_at == T0 + 60 + 24 * HOUR
    ticket = await act(db, ticket, owner, "answer", answer="今天已到货")
    ticket = await act(db, ticket, owner, "close", "已解决")
    ticket = await act(db, ticket, citizen, "rate", "满意")
    assert ticket.state == "回访"

    audited = [e for e in await each(db).audit.entries() if e.action.startswith("ticket.")]
    assert [e.action for e in audited] == [
        "ticket.filed", "ticket.take", "ticket.start", "ticket.answer", "ticket.close",
        "ticket.rate", "ticket.answer", "ticket.close", "ticket.rate"]
    assert {e.target for e in audited} == {f"ticket:{ticket.number}"}
    assert json.loads(audited[5].detail)["after"] == "办理中"

    told = [str(r["text"]) for r in await rows(db, citizen.telegram_id)]
    assert len(told) == 6  # every change but the filer's own ratings (answered in place)
    assert "已派给" in told[0] and "正在办理" in told[1] and "已联系超市明早补货" in told[2]
    assert "已办结（已解决）" in told[3] and "重新交办" not in told[3]
    closed = (await rows(db, citizen.telegram_id))[3]
    assert "满意" in json.dumps(closed["buttons"], ensure_ascii=False)
    assert any("不满意" in str(r["text"]) for r in await rows(db, owner.telegram_id))


@pytest.mark.parametrize("who", ["other_town", "other_county", "citizen", "operator"])
async def test_only_the_owner_and_the_areas_officials_change_a_ticket(
    db: Database, who: str
) -> None:
    people = await staff(db)
    ticket = await file(db, people["citizen"])
    for action in ("take", "start", "answer", "close"):
        with pytest.raises(TicketRefused) as refused:
            await act(db, ticket, people[who], action, "重复")
        assert refused.value.code == "not_allowed"
    assert (await each(db).tickets.get(ticket.id)).state == "受理"
    # The colleague, the county and the city may; the filer may not rate an open ticket.
    taken = await act(db, ticket, people["colleague"], "take")
    assert taken.owner_id == 12
    with pytest.raises(TicketRefused) as refused:
        await act(db, taken, people["citizen"], "rate", "满意")
    assert refused.value.code == "wrong_state"


async def test_a_change_made_on_a_stale_reading_is_refused(db: Database) -> None:
    people = await staff(db)
    ticket = await file(db, people["citizen"])
    async with db.write() as uow:
        read = await uow.tickets.get(ticket.id)
        assert read is not None
        await uow.tickets.change(read, T0, state="派单", owner_id=11)
        assert await uow.tickets.change(read, T0, state="派单", owner_id=12) is None
        await uow.commit()
    assert (await each(db).tickets.get(ticket.id)).owner_id == 11


async def test_reminder_before_the_deadline_then_escalation_level_by_level(db: Database) -> None:
    people = await staff(db)
    ticket = await file(db, people["citizen"], ticket_class="urgent", what="封控小区断粮")
    assert ticket.deadline_at == T0 + 2 * HOUR
    await act(db, ticket, people["town"], "take")
    before = len(await each(db).outbox.rows(kind="ticket"))
    assert await check(db, T0 + HOUR) == 0  # not yet: reminders come 30 minutes ahead
    assert await check(db, T0 + 1.5 * HOUR) == 1  # the owner, not the colleague
    [reminder] = [r for r in await rows(db, 11) if "快到时限" in str(r["text"])]
    assert "封控小区断粮" in str(reminder["text"])
    assert await check(db, T0 + 1.6 * HOUR) == 0  # once
    assert await check(db, T0 + 2 * HOUR) == 1  # past the deadline: up to 宝丰县
    escalated = await each(db).tickets.get(ticket.id)
    assert (escalated.owner_area.label, escalated.escalations) == ("宝丰县", 1)
    assert any("提级" in str(r["text"]) for r in await rows(db, 13))
    assert await check(db, T0 + 3 * HOUR) == 0  # one class period more before the next
    assert await check(db, T0 + 4 * HOUR) == 1  # up to the city
    assert (await each(db).tickets.get(ticket.id)).owner_area.label == "平顶山市"
    assert await check(db, T0 + 40 * HOUR) == 0  # nowhere higher
    assert len(await each(db).outbox.rows(kind="ticket")) == before + 3
    actions = [e.action for e in await each(db).audit.entries()]
    assert actions.count("ticket.escalated") == 2 and actions.count("ticket.reminded") == 1


async def test_deadline_checks_run_at_once_on_two_workers_act_once(
    db: Database, database_target: str
) -> None:
    people = await staff(db)
    await file(db, people["citizen"], ticket_class="urgent")
    other = await Database.open(database_target)
    try:
        async def run(database: Database) -> int:
            async with database.write() as uow:
                added = await tickets.check_deadlines(uow, now=T0 + 2.5 * HOUR, tz=TZ)
                await uow.commit()
            return added

        added = await asyncio.gather(run(db), run(other))
    finally:
        await other.close()
    assert sorted(added) == [0, 1]
    assert [e.action for e in await each(db).audit.entries()].count("ticket.escalated") == 1


async def test_answered_and_closed_tickets_are_never_chased(db: Database) -> None:
    people = await staff(db)
    ticket = await file(db, people["citizen"], ticket_class="urgent")
    for action in ("take", "start"):
        ticket = await act(db, ticket, people["town"], action)
    await act(db, ticket, people["town"], "answer", answer="已处理")
    assert await check(db, T0 + 1.8 * HOUR) == 0
    assert await check(db, T0 + 30 * HOUR) == 0
    assert (await each(db).tickets.get(ticket.id)).owner_area.label == "宝丰县张八桥镇"


async def test_overdue_tickets_of_an_area_and_of_a_list_of_places(db: Database) -> None:
    people = await staff(db)
    late = await file(db, people["citizen"], ticket_class="urgent")
    await file(db, people["citizen"], ticket_class="complaint", category="价格",
               what="鸡蛋涨价")
    elsewhere = await file(db, None, ticket_class="urgent",
                           place=Place(city=CITY_NAME, county="叶县"))
    now = T0 + 3 * HOUR

    async def overdue(area_county: str | None, township: str | None = None,
                      places: tuple[tuple[str, str | None], ...] = ()) -> list[str]:
        from bot.matching.area import Area
        async with db.read() as uow:
            found = await tickets.overdue_tickets(uow, Area.of(area_county, township),
                                                  now=now, places=places)
        return [t.number for t in found]

    assert await overdue("宝丰县", "张八桥镇") == [late.number]
    assert await overdue("宝丰县") == [late.number]
    assert await overdue(None) == [late.number, elsewhere.number]
    assert await overdue("宝丰县", "周庄镇") == []
    assert await overdue(None, places=(("叶县", None),)) == [elsewhere.number]
    assert await overdue(None, places=(("宝丰县", "周庄镇"),)) == []


async def test_a_callers_phone_is_shown_to_the_owner_and_the_areas_officials_only(
    db: Database,
) -> None:
    people = await staff(db)
    ticket = await file(db, people["operator"], caller_name="张女士",
                        caller_phone="13812345678")
    seen = {name for name, user in people.items()
            if "13812345678" in tickets.render(ticket, user, TZ, T0)}
    assert seen == {"town", "colleague", "county", "city"}
    # The operator who typed it in hears of the ticket without it.
    operator_view = tickets.render(ticket, people["operator"], TZ, T0)
    assert "张女士" in operator_view and "13812345678" not in operator_view
    # Nothing sent to anyone else carries it.
    for row in await each(db).outbox.rows():
        if "13812345678" in row.payload:
            assert row.chat_id in (11, 12)


async def test_a_shortage_ticket_becomes_a_need_and_the_filer_hears_of_its_match(
    db: Database,
) -> None:
    people = await staff(db)
    index = ListingIndex(db)
    # Listings match against the real clock (the grower's offer is posted now).
    now = time.time()
    ticket = await file(db, people["citizen"], what="小区买不到大白菜，需要500斤", now=now)
    async with db.write() as uow:
        made = await tickets.to_need(uow, index, ticket.id, people["town"],
                                     today=datetime.fromtimestamp(now, TZ).date(), tz=TZ,
                                     now=now)
        await uow.commit()
    need = made.published.listing
    assert (need.kind, need.product, need.place.label()) == ("need", "大白菜", "宝丰县张八桥镇")
    assert need.user_id == 11 and need.quantity == 250.0
    assert made.ticket.need_id == need.id
    assert (await each(db).tickets.by_need(need.id)).number == ticket.number
    citizen_rows = await rows(db, 21)
    assert any("求购信息" in str(r["text"]) for r in citizen_rows)
    assert not any("供应方能供应" in str(r["text"]) for r in citizen_rows)
    # A grower offers cabbage: the need matches, and the filer is told once.
    g = await grower(db)
    await publish(db, index, cabbage(g.telegram_id))
    await publish(db, index, cabbage(g.telegram_id, quantity=1000.0))
    matched = [r for r in await rows(db, 21) if "供应方能供应大白菜" in str(r["text"])]
    assert len(matched) == 1
    # One need per ticket; only its area's officials; only shortages.
    async with db.write() as uow:
        with pytest.raises(TicketRefused) as again:
            await tickets.to_need(uow, index, ticket.id, people["town"], today=made.published
                                  .listing.valid_until, tz=TZ, now=T0)  # type: ignore[arg-type]
        assert again.value.code == "has_need"
        price = await tickets.file_ticket(uow, filer=None, category="价格", what="大白菜涨价",
                                          place=TOWN, tz=TZ, now=T0)
        other = await tickets.file_ticket(uow, filer=None, category="缺货", what="缺面粉",
                                          place=TOWN, tz=TZ, now=T0)
        for ticket_id, who, code in ((price.id, people["town"], "not_shortage"),
                                     (other.id, people["other_county"], "not_allowed")):
            with pytest.raises(TicketRefused) as refused:
                await tickets.to_need(uow, index, ticket_id, who, today=made.published
                                      .listing.valid_until, tz=TZ, now=T0)  # type: ignore[arg-type]
            assert refused.value.code == code


async def test_the_scheduled_job_reminds_and_escalates_and_wakes_the_sender(
    db: Database, database_target: str
) -> None:
    from bot.app import TICKET_CHECK_INTERVAL
    from bot.handlers import jobs
    from bot.services.runtime import Services
    from bot.settings import load_settings
    from tests.backends import settings_env

    people = await staff(db)
    ticket = await file(db, people["citizen"], ticket_class="urgent")
    settings = load_settings({"FARMDOCK_TOKEN": "123456:TEST-token_farmdock",
                              **settings_env(database_target)}, env_file=None)
    woken: list[int] = []
    services = Services(settings, db, ListingIndex(db), lambda: woken.append(1))
    # The job runs every two minutes: a 2-hour deadline's 30-minute reminder is never missed.
    assert TICKET_CHECK_INTERVAL <= 30 * 60 / 4
    assert await jobs.ticket_deadlines(services, now=T0 + 1.75 * HOUR) == 2  # both officials
    assert await jobs.ticket_deadlines(services, now=T0 + 1.8 * HOUR) == 0
    assert await jobs.ticket_deadlines(services, now=T0 + 2.1 * HOUR) == 1
    assert len(woken) == 2
    assert (await each(db).tickets.get(ticket.id)).owner_area.label == "宝丰县"


async def test_overdue_tickets_are_in_every_digest_of_the_areas_they_lie_in(
    db: Database,
) -> None:
    from bot.matching.area import Area
    from bot.services.digest import load_bundle

    people = await staff(db)
    ticket = await file(db, people["operator"], ticket_class="urgent",
                        what="封控小区断粮，楼长电话13900001111", caller_phone="13700002222",
                        now=time.time() - 3 * HOUR)
    day = datetime.now(TZ).date()

    async def last_part(area: Area) -> str:
        async with db.read() as uow:
            found = await load_bundle(uow, area, day, TZ)
        return found.messages[-1]

    for area in (Area("宝丰县", "张八桥镇"), Area("宝丰县"), Area()):
        text = await last_part(area)
        assert ticket.number in text and "超时" in text, area
        assert "13700002222" not in text and "13900001111" not in text
    for area in (Area("宝丰县", "周庄镇"), Area("叶县")):
        assert ticket.number not in await last_part(area)


async def test_what_a_caller_typed_is_escaped_in_every_card(db: Database) -> None:
    people = await staff(db)
    ticket = await file(db, people["citizen"], what="<b>买不到</b> & <a href='x'>面粉</a>",
                        caller_name="<i>张</i>")
    card = tickets.render(ticket, people["town"], TZ, T0)
    assert "<b>买不到</b>" not in card and "&lt;b&gt;买不到&lt;/b&gt; &amp;" in card
    assert "&lt;i&gt;张&lt;/i&gt;" in card
    [notice] = await rows(db, 11)
    assert "<a href" not in str(notice["text"])


@pytest.mark.parametrize(("ticket_class", "hours", "ahead"), [
    ("urgent", 2, 0.5), ("help", 24, 4), ("complaint", 72, 12)])
async def test_each_class_is_reminded_its_own_lead_ahead(
    db: Database, ticket_class: str, hours: float, ahead: float
) -> None:
    people = await staff(db)
    await file(db, people["citizen"], ticket_class=ticket_class)
    assert await check(db, T0 + (hours - ahead) * HOUR - 60) == 0
    # Nobody has taken it yet: both officials of the township are reminded.
    assert await check(db, T0 + (hours - ahead) * HOUR) == 2
    assert await check(db, T0 + hours * HOUR - 60) == 0


async def test_a_price_ticket_shows_the_days_monitored_price(db: Database) -> None:
    from bot.matching.area import Area
    from bot.services.prices import add_point
    from bot.services.ticket_prices import monitored_prices
    from storage.prices import PriceEntry

    people = await staff(db)
    async with db.write() as uow:
        for name, county, today_price in (("宝丰县农贸市场", "宝丰县", 1.4),
                                          ("宝丰县超市", "宝丰县", 1.6),
                                          ("叶县超市", "叶县", 3.0)):
            point = await add_point(uow, name=name, type="超市", area=Area(county), now=T0)
            for day, price in (("2026-05-08", 1.25), ("2026-05-09", today_price)):
                await uow.prices.record(point.id, day, [PriceEntry("大白菜", price, "500g")],
                                        reported_by=None, source="bot", now=T0)
        await uow.commit()
    ticket = await file(db, people["citizen"], category="价格",
                        what="大白菜一斤卖到三块，太贵了；猪肉也涨了")
    day = datetime.fromtimestamp(T0, TZ).date()
    async with db.read() as uow:
        line = await monitored_prices(uow, ticket, day)
    # The county's own points (宝丰县), not 叶县's; the same points yesterday for the change.
    assert line is not None
    cabbage_line, pork_line = line.split("\n")
    assert "宝丰县" in cabbage_line and "大白菜 均价 1.50元/500克" in cabbage_line
    assert "1.40–1.60" in cabbage_line and "2个监测点" in cabbage_line
    assert "较昨日 +20.0%" in cabbage_line
    assert pork_line == "📊 今日监测价：猪肉 暂无监测数据"
    # The officials who own it see it on the card they are sent.
    sent = json.dumps(await rows(db, people["town"].telegram_id), ensure_ascii=False)
    assert "大白菜 均价 1.50元/500克" in sent

    # Other categories, and a price ticket naming nothing monitored, show nothing.
    other = await file(db, people["citizen"], category="缺货", what="大白菜买不到")
    vague = await file(db, people["citizen"], category="价格", what="东西太贵了")
    async with db.read() as uow:
        assert await monitored_prices(uow, other, day) is None
        assert await monitored_prices(uow, vague, day) is None
