"""The use cases without Telegram: publish, match, notify, interest, contacts, drafts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.services import drafts
from bot.services.interest import express_interest
from bot.services.listings import (
    change_listing,
    close_listing,
    expire_listings,
    publish_listing,
)
from bot.services.match_index import ListingIndex
from storage import listings, outbox, users
from storage.database import Database
from storage.records import User
from tests.storage.factories import cabbage, grower

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "farmdock.db")
    yield database
    await database.close()


async def buyer(db: Database, telegram_id: int = 2002, **fields: object) -> User:
    return await users.upsert_user(
        db, telegram_id, role="buyer", name="李经理", organisation="丹尼斯超市",
        county="湛河区", township="姚孟街道", phone="13900000002", **fields,  # type: ignore[arg-type]
    )


async def test_publish_commits_matches_and_enqueues_one_notice(db: Database) -> None:
    index = ListingIndex()
    g, b = await grower(db, phone="13800000001"), await buyer(db)
    need = await publish_listing(db, index, cabbage(b.telegram_id, kind="need", price=None))
    assert need.matches == [] and need.notices == 0
    woken: list[bool] = []
    offer = await publish_listing(
        db, index, cabbage(g.telegram_id), wake=lambda: woken.append(True)
    )
    assert [v.other.id for v in offer.matches] == [need.listing.id]
    assert offer.notices == 1 and woken == [True]
    [notice] = await outbox.messages(db, kind="match")
    payload = json.loads(notice.payload)
    assert notice.chat_id == b.telegram_id and notice.key.startswith("match:")
    assert "大白菜" in payload["text"] and "宝丰县张八桥镇" in payload["text"]
    assert "13800000001" not in payload["text"]
    assert "意向" in payload["reply_markup"]["inline_keyboard"][0][0]["text"]


async def test_own_listings_never_match_each_other(db: Database) -> None:
    index = ListingIndex()
    g = await users.upsert_user(db, 5, role="admin", county="宝丰县")
    await publish_listing(db, index, cabbage(g.telegram_id, kind="need", price=None))
    offer = await publish_listing(db, index, cabbage(g.telegram_id))
    assert offer.matches == [] and offer.notices == 0


async def test_contacts_go_once_and_only_to_the_pair(db: Database) -> None:
    index = ListingIndex()
    g, b = await grower(db, phone="13800000001"), await buyer(db)
    stranger = await buyer(db, 3003)
    await publish_listing(db, index, cabbage(b.telegram_id, kind="need", price=None))
    offer = await publish_listing(db, index, cabbage(g.telegram_id))
    match_id = offer.matches[0].match.id
    assert (await express_interest(db, match_id, stranger.telegram_id)).outcome == "refused"
    assert (await express_interest(db, match_id, g.telegram_id)).outcome == "waiting"
    assert await outbox.messages(db, kind="contact") == []
    assert (await express_interest(db, match_id, b.telegram_id)).outcome == "exchanged"
    assert (await express_interest(db, match_id, b.telegram_id)).outcome == "already"
    contacts = await outbox.messages(db, kind="contact")
    assert sorted(m.chat_id for m in contacts) == [g.telegram_id, b.telegram_id]
    to_grower = next(m for m in contacts if m.chat_id == g.telegram_id)
    assert "13900000002" in to_grower.payload and "13800000001" not in to_grower.payload


async def test_closed_and_expired_listings_stop_matching(db: Database) -> None:
    index = ListingIndex()
    g, b = await grower(db), await buyer(db)
    first = await publish_listing(db, index, cabbage(g.telegram_id))
    await close_listing(db, index, first.listing, g.telegram_id, "done")
    second = await publish_listing(db, index, cabbage(g.telegram_id, expires_at=1000.0))
    assert await expire_listings(db, index, now=2000.0) == [second.listing.id]
    need = await publish_listing(db, index, cabbage(b.telegram_id, kind="need", price=None))
    assert need.matches == []
    assert (await listings.get_listing(db, first.listing.id)).closed_reason == "done"  # type: ignore[union-attr]


async def test_index_is_rebuilt_from_the_database(db: Database) -> None:
    g, b = await grower(db), await buyer(db)
    await publish_listing(db, ListingIndex(), cabbage(g.telegram_id))
    fresh = ListingIndex()
    assert await fresh.load(db) == 1
    need = await publish_listing(db, fresh, cabbage(b.telegram_id, kind="need", price=None))
    assert len(need.matches) == 1


async def test_one_line_draft_defaults_to_the_users_place_and_role(db: Database) -> None:
    g = await grower(db)
    today = date(2026, 5, 9)
    draft, refused = drafts.from_post("大白菜5000斤，0.8元/斤", g, today)
    assert draft is not None and refused == []
    assert draft["kind"] == "offer" and drafts.missing(draft) is None
    assert drafts.place_of(draft).label() == "宝丰县张八桥镇"  # type: ignore[union-attr]
    new = drafts.to_new_listing(draft, g.telegram_id, today, TZ)
    assert new.valid_until == date(2026, 5, 12)  # leafy greens: 3 days
    wheat, _ = drafts.from_post("出售小麦10吨", g, today)
    assert wheat is not None and wheat["valid_days"] == 30 and drafts.missing(wheat) == "price"


async def test_ambiguous_place_is_asked(db: Database) -> None:
    g = await grower(db)
    draft, _ = drafts.from_post("出售大白菜5000斤，0.8元/斤，马庄", g, date(2026, 5, 9))
    assert draft is not None and drafts.missing(draft) == "place"
    assert len(drafts.candidates_of(draft)) == 2


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
        await publish_listing(db, ListingIndex(), cabbage(g.telegram_id, **overrides))
    assert await listings.user_listings(db, g.telegram_id) == []


async def test_changing_to_an_implausible_number_changes_nothing(db: Database) -> None:
    g = await grower(db)
    index = ListingIndex()
    stored = (await publish_listing(db, index, cabbage(g.telegram_id))).listing
    with pytest.raises(ValueError):
        await change_listing(db, index, stored, g.telegram_id,
                             quantity=(float("inf"), "kg", float("inf"), "斤"))
    with pytest.raises(ValueError):
        await change_listing(db, index, stored, g.telegram_id, price=(0.0, "kg", "exact"))
    free = await change_listing(db, index, stored, g.telegram_id, price=(0.0, "kg", "free"))
    assert free is not None and (free.price, free.price_bound, free.quantity) == (0, "free", 2500)
