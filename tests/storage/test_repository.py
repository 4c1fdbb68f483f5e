import dataclasses
import time
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from bot.matching.area import CITY, Area
from bot.matching.model import CITY_NAME, PackSize, Place
from storage import outbox
from storage.database import Database
from tests.storage.factories import cabbage, grower, listed
from tests.stores import each


async def test_user_round_trip_and_blocked_stays_blocked(db: Database) -> None:
    user = await grower(db, phone="13812345678")
    assert (user.role, user.county, user.township, user.status) == (
        "grower", "宝丰县", "张八桥镇", "active")
    assert await each(db).users.set_status(user.telegram_id, "blocked")
    again = await grower(db)  # signing up again must not unblock
    assert again.status == "blocked"
    assert again.phone == "13812345678"  # a profile update without a phone keeps the phone
    assert not await each(db).users.set_status(424242, "blocked")


async def test_blocking_drops_what_waits_in_the_outbox(db: Database) -> None:
    user = await grower(db)
    other = await each(db).users.upsert(2002, role="buyer", name="李经理")
    await each(db).outbox.enqueue([
        outbox.OutgoingMessage("n1", user.telegram_id, "match_notice", {"text": "a"}),
        outbox.OutgoingMessage("n2", other.telegram_id, "match_notice", {"text": "b"}),
    ])
    await each(db).users.set_status(user.telegram_id, "blocked")
    due = await each(db).outbox.due(time.time())
    assert [m.chat_id for m in due] == [other.telegram_id]
    [dropped] = await each(db).outbox.rows(chat_id=user.telegram_id)
    assert (dropped.status, dropped.last_error) == ("failed", "recipient blocked")


async def test_officials_covering_a_place(db: Database) -> None:
    await each(db).users.upsert(1, role="official", name="市局")
    await each(db).users.upsert(2, role="official", name="宝丰", county="宝丰县")
    await each(db).users.upsert(3, role="official", name="张八桥", county="宝丰县",
                            township="张八桥镇")
    await each(db).users.upsert(4, role="official", name="杨庄", county="宝丰县",
                            township="杨庄镇")
    await each(db).users.upsert(5, role="official", name="叶县", county="叶县")
    covering = await each(db).users.officials_covering("宝丰县", "张八桥镇")
    assert [u.telegram_id for u in covering] == [1, 2, 3]


async def test_invite_is_used_once(db: Database) -> None:
    invite = await each(db).users.create_invite(role="official", name="王科长", county="宝丰县")
    user = await each(db).users.redeem_invite(invite.code, 77, "tg name")
    assert user is not None and (user.role, user.name, user.county) == (
        "official", "王科长", "宝丰县")
    assert await each(db).users.redeem_invite(invite.code, 78, "someone else") is None
    assert await each(db).users.get(78) is None
    assert await each(db).users.redeem_invite("no-such-code", 78, "someone else") is None
    assert await each(db).users.get(78) is None


async def test_a_signed_up_user_can_redeem_an_invite(db: Database) -> None:
    user = await grower(db, phone="13812345678")
    invite = await each(db).users.create_invite(role="official", county="宝丰县",
                                                township="张八桥镇")
    official = await each(db).users.redeem_invite(invite.code, user.telegram_id, "tg name")
    assert official is not None
    # The invite says what they are now; an invite without a name takes the one Telegram
    # gives, and the phone they shared stays.
    assert (official.role, official.name, official.county, official.township,
            official.phone) == ("official", "tg name", "宝丰县", "张八桥镇", "13812345678")
    assert await each(db).users.get(user.telegram_id) == official


async def test_listing_round_trip_keeps_every_field(db: Database) -> None:
    owner = await grower(db)
    new = cabbage(
        owner.telegram_id, raw_text="出售大白菜100箱，每箱20斤，35元/箱以内，5月12日前",
        variety="黄心", quantity=100.0, unit="箱", quantity_as_written=100.0,
        unit_as_written="箱", pack=PackSize("箱", 10.0, "kg"), price=35.0, price_unit="箱",
        price_bound="max", expires_at=time.time() + 86_400, created_at=time.time() - 60,
    )
    stored = await each(db).listings.add(new)
    assert stored.id > 0 and stored.status == "open" and stored.closed_reason is None
    # Everything the poster confirmed comes back as it went in; the row was last
    # written when it was created.
    assert stored == dataclasses.replace(new, id=stored.id, updated_at=new.created_at)
    assert stored.place.label() == "宝丰县张八桥镇"
    assert stored.valid_until == date(2026, 5, 12)
    assert await each(db).listings.get(stored.id) == stored
    entries = await each(db).audit.entries(action="listing.create")
    assert [e.target for e in entries] == [f"listing:{stored.id}"]


async def test_a_place_outside_the_city_round_trips(db: Database) -> None:
    owner = await grower(db)
    stored = await listed(db, owner.telegram_id, place=Place(outside="汝阳县"), pack=None)
    assert stored.place == Place(outside="汝阳县") and stored.pack is None


async def test_listing_rejects_negative_quantity(db: Database) -> None:
    owner = await grower(db)
    with pytest.raises(IntegrityError, match=r"(?i)check"):
        await each(db).listings.add(cabbage(owner.telegram_id, quantity=-1.0))
    assert await each(db).listings.open() == []
    # The refused listing's audit entry went with it.
    assert await each(db).audit.entries(action="listing.create") == []


async def test_update_close_and_expire(db: Database) -> None:
    owner = await grower(db)
    first = await listed(db, owner.telegram_id)
    second = await listed(db, owner.telegram_id, expires_at=time.time() - 1)
    changed = await each(db).listings.update(first.id, owner.telegram_id, price=2.0)
    assert changed is not None and changed.price == 2.0
    with pytest.raises(ValueError):
        await each(db).listings.update(first.id, owner.telegram_id, product="小白菜")
    assert await each(db).listings.expire_due(time.time()) == [second.id]
    assert await each(db).listings.close(first.id, owner.telegram_id, reason="done")
    assert not await each(db).listings.close(first.id, owner.telegram_id)
    assert await each(db).listings.update(first.id, owner.telegram_id, price=3.0) is None
    assert await each(db).listings.open() == []
    closed = await each(db).listings.get(first.id)
    assert closed is not None and (closed.status, closed.closed_reason) == ("closed", "done")


async def test_period_queries_are_scoped_to_the_area(db: Database) -> None:
    owner = await grower(db)
    here = await listed(db, owner.telegram_id)
    elsewhere = await listed(db, owner.telegram_id,
                             place=Place(city=CITY_NAME, county="叶县", township="任店镇"))
    start, end = time.time() - 60, time.time() + 60
    in_period = each(db).listings.in_period
    assert [x.id for x in await in_period(start, end, CITY)] == [here.id, elsewhere.id]
    assert [x.id for x in await in_period(start, end, Area("宝丰县", "张八桥镇"))] == [here.id]
    assert [x.id for x in await in_period(start, end, Area("叶县"))] == [elsewhere.id]
    assert await in_period(start, end, Area("宝丰县", "杨庄镇")) == []
    # [start, end): a listing created at the end belongs to the next period.
    assert await in_period(start, here.created_at, CITY) == []


async def test_matches_and_consent(db: Database) -> None:
    owner = await grower(db)
    buyer = await each(db).users.upsert(2002, role="buyer", name="李经理", county="新华区")
    offer = await listed(db, owner.telegram_id)
    need = await listed(db, buyer.telegram_id, kind="need")
    [match] = await each(db).matches.record([(need.id, offer.id, 0.9, 1)])
    again = await each(db).matches.record([(need.id, offer.id, 0.5, 3)])
    assert again[0].id == match.id and again[0].score == 0.9
    after_one = await each(db).matches.express_interest(match.id, "need", buyer.telegram_id)
    assert not after_one.both_interested
    assert not await each(db).matches.claim_contact_exchange(match.id)
    after_two = await each(db).matches.express_interest(match.id, "offer", owner.telegram_id)
    assert after_two.both_interested
    assert await each(db).matches.claim_contact_exchange(match.id)
    assert not await each(db).matches.claim_contact_exchange(match.id)  # contacts go once
    pairs = await each(db).matches.of_pairs([(need.id, offer.id)])
    assert pairs[need.id, offer.id].id == match.id


async def test_outbox_enqueue_is_idempotent(db: Database) -> None:
    message = outbox.OutgoingMessage("2026-05-09|1|digest", 1, "digest", {"text": "日报"})
    assert await each(db).outbox.enqueue([message]) == 1
    assert await each(db).outbox.enqueue([message]) == 0
    [due] = await each(db).outbox.due(time.time())
    await each(db).outbox.postpone(due.id, time.time() + 60, "429")
    assert await each(db).outbox.due(time.time()) == []
    await each(db).outbox.mark_sent(due.id)
    [row] = await each(db).outbox.rows(kind="digest")
    assert (row.status, row.attempts) == ("sent", 2)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
async def test_the_repository_refuses_non_finite_numbers(db: Database, value: float) -> None:
    user = await grower(db)
    with pytest.raises(ValueError, match="finite"):
        await each(db).listings.add(cabbage(user.telegram_id, quantity=value))
    with pytest.raises(ValueError, match="finite"):
        await each(db).listings.add(cabbage(user.telegram_id, price=value))
    with pytest.raises(ValueError, match="finite"):
        await each(db).listings.add_many(
            [cabbage(user.telegram_id, pack=PackSize("箱", value, "kg"))])
    stored = await listed(db, user.telegram_id)
    with pytest.raises(ValueError, match="finite"):
        await each(db).listings.update(stored.id, user.telegram_id, quantity=value)
    again = await each(db).listings.get(stored.id)
    assert again is not None and again.quantity == 2500
    assert [x.id for x in await each(db).listings.open()] == [stored.id]
