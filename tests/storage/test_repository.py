import time

import pytest

from storage import audit, listings, matches, outbox, state, users
from storage.database import Database
from tests.storage.factories import cabbage, grower, listed


async def test_user_round_trip_and_blocked_stays_blocked(db: Database) -> None:
    user = await grower(db, phone="13812345678")
    assert (user.role, user.county, user.township, user.status) == (
        "grower", "宝丰县", "张八桥镇", "active")
    assert await users.set_status(db, user.telegram_id, "blocked")
    again = await grower(db)  # signing up again must not unblock
    assert again.status == "blocked"
    assert again.phone == "13812345678"  # a profile update without a phone keeps the phone
    assert not await users.set_status(db, 424242, "blocked")


async def test_blocking_drops_what_waits_in_the_outbox(db: Database) -> None:
    user = await grower(db)
    other = await users.upsert_user(db, 2002, role="buyer", name="李经理")
    await outbox.enqueue(db, [
        outbox.OutgoingMessage("n1", user.telegram_id, "match_notice", {"text": "a"}),
        outbox.OutgoingMessage("n2", other.telegram_id, "match_notice", {"text": "b"}),
    ])
    await users.set_status(db, user.telegram_id, "blocked")
    due = await outbox.due_messages(db, time.time())
    assert [m.chat_id for m in due] == [other.telegram_id]
    [dropped] = await outbox.messages(db, chat_id=user.telegram_id)
    assert (dropped.status, dropped.last_error) == ("failed", "recipient blocked")


async def test_officials_covering_a_place(db: Database) -> None:
    await users.upsert_user(db, 1, role="official", name="市局")
    await users.upsert_user(db, 2, role="official", name="宝丰", county="宝丰县")
    await users.upsert_user(db, 3, role="official", name="张八桥", county="宝丰县",
                            township="张八桥镇")
    await users.upsert_user(db, 4, role="official", name="杨庄", county="宝丰县",
                            township="杨庄镇")
    await users.upsert_user(db, 5, role="official", name="叶县", county="叶县")
    covering = await users.officials_covering(db, "宝丰县", "张八桥镇")
    assert [u.telegram_id for u in covering] == [1, 2, 3]


async def test_invite_is_used_once(db: Database) -> None:
    invite = await users.create_invite(db, role="official", name="王科长", county="宝丰县")
    user = await users.redeem_invite(db, invite.code, 77, "tg name")
    assert user is not None and (user.role, user.name, user.county) == (
        "official", "王科长", "宝丰县")
    assert await users.redeem_invite(db, invite.code, 78, "someone else") is None
    assert await users.get_user(db, 78) is None


async def test_listing_round_trip_keeps_every_field(db: Database) -> None:
    owner = await grower(db)
    stored = await listed(db, owner.telegram_id)
    assert stored.status == "open"
    assert (stored.product, stored.quantity, stored.unit, stored.price, stored.price_unit) == (
        "大白菜", 2500.0, "kg", 1.6, "kg")
    assert stored.place.label() == "宝丰县张八桥镇"
    assert stored.valid_until == "2026-05-12"
    domain = stored.to_domain()
    assert domain.id == str(stored.id) and domain.kind == "offer"
    entries = await audit.audit_entries(db, action="listing.create")
    assert [e.target for e in entries] == [f"listing:{stored.id}"]


async def test_listing_rejects_negative_quantity(db: Database) -> None:
    owner = await grower(db)
    with pytest.raises(Exception, match="CHECK"):
        await listings.add_listing(db, cabbage(owner.telegram_id, quantity=-1.0))
    assert await listings.open_listings(db) == []


async def test_update_close_and_expire(db: Database) -> None:
    owner = await grower(db)
    first = await listed(db, owner.telegram_id)
    second = await listed(db, owner.telegram_id, expires_at=time.time() - 1)
    changed = await listings.update_listing(db, first.id, owner.telegram_id, price=2.0)
    assert changed is not None and changed.price == 2.0
    with pytest.raises(ValueError):
        await listings.update_listing(db, first.id, owner.telegram_id, product="小白菜")
    assert await listings.expire_due(db, time.time()) == [second.id]
    assert await listings.close_listing(db, first.id, owner.telegram_id, reason="done")
    assert not await listings.close_listing(db, first.id, owner.telegram_id)
    assert await listings.update_listing(db, first.id, owner.telegram_id, price=3.0) is None
    assert await listings.open_listings(db) == []
    closed = await listings.get_listing(db, first.id)
    assert closed is not None and (closed.status, closed.closed_reason) == ("closed", "done")


async def test_period_queries_are_scoped_to_the_jurisdiction(db: Database) -> None:
    owner = await grower(db)
    here = await listed(db, owner.telegram_id)
    elsewhere = await listed(db, owner.telegram_id, place=here.place.__class__(
        city="平顶山市", county="叶县", township="任店镇"))
    start, end = time.time() - 60, time.time() + 60
    assert [x.id for x in await listings.listings_in_period(db, start, end)] == [
        here.id, elsewhere.id]
    assert [x.id for x in await listings.listings_in_period(
        db, start, end, county="宝丰县", township="张八桥镇")] == [here.id]
    assert [x.id for x in await listings.listings_in_period(db, start, end, county="叶县")] == [
        elsewhere.id]


async def test_matches_and_consent(db: Database) -> None:
    owner = await grower(db)
    buyer = await users.upsert_user(db, 2002, role="buyer", name="李经理", county="新华区")
    offer = await listed(db, owner.telegram_id)
    need = await listed(db, buyer.telegram_id, kind="need")
    [match] = await matches.record_matches(db, [(need.id, offer.id, 0.9, 1)])
    again = await matches.record_matches(db, [(need.id, offer.id, 0.5, 3)])
    assert again[0].id == match.id and again[0].score == 0.9
    after_one = await matches.express_interest(db, match.id, "need", buyer.telegram_id)
    assert not after_one.both_interested
    assert not await matches.claim_contact_exchange(db, match.id)
    after_two = await matches.express_interest(db, match.id, "offer", owner.telegram_id)
    assert after_two.both_interested
    assert await matches.claim_contact_exchange(db, match.id)
    assert not await matches.claim_contact_exchange(db, match.id)  # contacts go once
    assert [m.id for m in await matches.matches_of_listing(db, offer.id)] == [match.id]


async def test_outbox_enqueue_is_idempotent(db: Database) -> None:
    message = outbox.OutgoingMessage("2026-05-09|1|digest", 1, "digest", {"text": "日报"})
    assert await outbox.enqueue(db, [message]) == 1
    assert await outbox.enqueue(db, [message]) == 0
    [due] = await outbox.due_messages(db, time.time())
    await outbox.postpone(db, due.id, time.time() + 60, "429")
    assert await outbox.due_messages(db, time.time()) == []
    await outbox.mark_sent(db, due.id)
    [row] = await outbox.messages(db, kind="digest")
    assert (row.status, row.attempts) == ("sent", 2)


async def test_bot_state_round_trip(db: Database) -> None:
    await state.save_value(db, "conversations", "posting:1:1", {"state": 2})
    assert await state.load_namespace(db, "conversations") == {"posting:1:1": {"state": 2}}
    await state.delete_key(db, "conversations", "posting:1:1")
    assert await state.load_namespace(db, "conversations") == {}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
async def test_the_repository_refuses_non_finite_numbers(db: Database, value: float) -> None:
    user = await grower(db)
    with pytest.raises(ValueError, match="finite"):
        await listings.add_listing(db, cabbage(user.telegram_id, quantity=value))
    with pytest.raises(ValueError, match="finite"):
        await listings.add_listing(db, cabbage(user.telegram_id, price=value))
    stored = await listed(db, user.telegram_id)
    with pytest.raises(ValueError, match="finite"):
        await listings.update_listing(db, stored.id, user.telegram_id, quantity=value)
    again = await listings.get_listing(db, stored.id)
    assert again is not None and again.quantity == 2500
