"""The use cases without Telegram: publish, match, notify, interest, contacts, drafts."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services import actions, drafts
from bot.services.interest import Interest, express_interest
from bot.services.listings import change_listing, close_listing, expire_listings, publish_listing
from bot.services.match_index import ListingIndex
from storage.database import Database
from tests.services.factories import TODAY, buyer, cabbage, grower, publish
from tests.stores import each

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def db(database_target: str) -> AsyncIterator[Database]:
    database = await Database.open(database_target)
    yield database
    await database.close()


async def press(db: Database, match_id: int, user_id: int) -> Interest:
    async with db.write() as uow:
        result = await express_interest(uow, match_id, user_id)
        await uow.commit()
    return result


async def test_publish_commits_matches_and_enqueues_one_notice(db: Database) -> None:
    index = ListingIndex(db)
    g, b = await grower(db, phone="13800000001"), await buyer(db)
    need = await publish(db, index, cabbage(b.telegram_id, kind="need", price=None))
    assert need.matches == [] and need.notices == 0
    async with db.write() as uow:
        offer = await publish_listing(uow, index, cabbage(g.telegram_id), today=TODAY)
        # What the caller reads to wake the outbox sender once it has committed.
        added = uow.outbox.added
        await uow.commit()
    assert [v.other.id for v in offer.matches] == [need.listing.id]
    assert offer.notices == 1 and added == 1
    [record] = await each(db).matches.of_listing(offer.listing.id)
    assert offer.matches[0].record == record
    [notice] = await each(db).outbox.rows(kind="match")
    payload = json.loads(notice.payload)
    assert notice.chat_id == b.telegram_id and notice.key == f"match:{record.id}:need"
    assert "大白菜" in payload["text"] and "宝丰县张八桥镇" in payload["text"]
    assert "13800000001" not in payload["text"]
    [[[label, action]]] = payload["buttons"]
    assert "意向" in label and action == actions.interest(record.id)


async def test_a_publish_left_uncommitted_keeps_nothing(db: Database) -> None:
    index = ListingIndex(db)
    g, b = await grower(db), await buyer(db)
    await publish(db, index, cabbage(b.telegram_id, kind="need", price=None))
    async with db.write() as uow:
        offer = await publish_listing(uow, index, cabbage(g.telegram_id), today=TODAY)
        assert offer.notices == 1
    assert await each(db).listings.get(offer.listing.id) is None
    assert await each(db).matches.of_listing(offer.listing.id) == []
    assert await each(db).outbox.rows(kind="match") == []


async def test_own_listings_never_match_each_other(db: Database) -> None:
    index = ListingIndex(db)
    g = await each(db).users.upsert(5, role="admin", county="宝丰县")
    await publish(db, index, cabbage(g.telegram_id, kind="need", price=None))
    offer = await publish(db, index, cabbage(g.telegram_id))
    assert offer.matches == [] and offer.notices == 0


async def test_contacts_go_once_and_only_to_the_pair(db: Database) -> None:
    index = ListingIndex(db)
    g, b = await grower(db, phone="13800000001"), await buyer(db)
    stranger = await buyer(db, 3003)
    await publish(db, index, cabbage(b.telegram_id, kind="need", price=None))
    offer = await publish(db, index, cabbage(g.telegram_id))
    record = offer.matches[0].record
    assert record is not None
    assert (await press(db, record.id, stranger.telegram_id)).outcome == "refused"
    assert (await press(db, record.id, g.telegram_id)).outcome == "waiting"
    assert await each(db).outbox.rows(kind="contact") == []
    assert (await press(db, record.id, b.telegram_id)).outcome == "exchanged"
    assert (await press(db, record.id, b.telegram_id)).outcome == "already"
    contacts = await each(db).outbox.rows(kind="contact")
    assert sorted(m.chat_id for m in contacts) == [g.telegram_id, b.telegram_id]
    to_grower = next(m for m in contacts if m.chat_id == g.telegram_id)
    assert "13900000002" in to_grower.payload and "13800000001" not in to_grower.payload
    to_buyer = next(m for m in contacts if m.chat_id == b.telegram_id)
    assert "13800000001" in to_buyer.payload and "13900000002" not in to_buyer.payload


async def test_closed_and_expired_listings_stop_matching(db: Database) -> None:
    index = ListingIndex(db)
    g, b = await grower(db), await buyer(db)
    first = await publish(db, index, cabbage(g.telegram_id))
    async with db.write() as uow:
        assert await close_listing(uow, first.listing, g.telegram_id, "done")
        await uow.commit()
    second = await publish(db, index, cabbage(g.telegram_id, expires_at=1000.0))
    async with db.write() as uow:
        assert await expire_listings(uow, now=2000.0) == [second.listing.id]
        await uow.commit()
    need = await publish(db, index, cabbage(b.telegram_id, kind="need", price=None))
    assert need.matches == []
    assert (await each(db).listings.get(first.listing.id)).closed_reason == "done"  # type: ignore[union-attr]


async def test_index_is_rebuilt_from_the_database(db: Database) -> None:
    g, b = await grower(db), await buyer(db)
    await publish(db, ListingIndex(db), cabbage(g.telegram_id))
    fresh = ListingIndex(db)
    assert await fresh.load() == 1
    need = await publish(db, fresh, cabbage(b.telegram_id, kind="need", price=None))
    assert len(need.matches) == 1


async def test_one_line_draft_defaults_to_the_users_place_and_role(db: Database) -> None:
    g = await grower(db)
    today = date(2026, 5, 9)
    posting, refused = drafts.from_post("大白菜5000斤，0.8元/斤", g, today)
    assert posting is not None and refused == []
    assert posting.draft.kind == "offer" and drafts.missing(posting) is None
    assert posting.draft.place.label() == "宝丰县张八桥镇"
    now = time.time()
    new = drafts.to_listing(posting, g.telegram_id, TZ, now)
    assert new.valid_until == date(2026, 5, 12)  # leafy greens: 3 days
    assert (new.user_id, new.kind, new.product, new.created_at) == (g.telegram_id, "offer",
                                                                   "大白菜", now)
    wheat, _ = drafts.from_post("出售小麦10吨", g, today)
    assert wheat is not None and drafts.missing(wheat) == "price"
    assert wheat.draft.valid_until == today + timedelta(days=30)


async def test_ambiguous_place_is_asked(db: Database) -> None:
    g = await grower(db)
    posting, _ = drafts.from_post("出售大白菜5000斤，0.8元/斤，马庄", g, date(2026, 5, 9))
    assert posting is not None and drafts.missing(posting) == "place"
    assert len(posting.draft.place_candidates) == 2


@pytest.mark.parametrize(
    "overrides",
    [{"quantity": float("inf")}, {"quantity": float("nan")}, {"quantity": 0.0},
     {"quantity": 2e8}, {"price": 0.0}, {"price": -1.6}, {"price": float("inf")},
     {"price": 0.0, "price_bound": "exact"}, {"price": 1.6, "price_bound": "free"}],
)
async def test_publishing_an_implausible_number_stores_nothing(
    db: Database, overrides: dict[str, object]
) -> None:
    g = await grower(db)
    with pytest.raises(ValueError, match="plausible range"):
        await publish(db, ListingIndex(db), cabbage(g.telegram_id, **overrides))
    assert await each(db).listings.of_user(g.telegram_id) == []


async def test_changing_to_an_implausible_number_changes_nothing(db: Database) -> None:
    g = await grower(db)
    stored = (await publish(db, ListingIndex(db), cabbage(g.telegram_id))).listing
    async with db.write() as uow:
        with pytest.raises(ValueError):
            await change_listing(uow, stored, g.telegram_id,
                                 quantity=(float("inf"), float("inf"), "斤"))
        with pytest.raises(ValueError):
            await change_listing(uow, stored, g.telegram_id, price=(0.0, "kg", "exact"))
        await uow.commit()
    assert await each(db).listings.get(stored.id) == stored
    async with db.write() as uow:
        free = await change_listing(uow, stored, g.telegram_id, price=(0.0, "kg", "free"))
        await uow.commit()
    assert free is not None and (free.price, free.price_bound, free.quantity) == (0, "free", 2500)
