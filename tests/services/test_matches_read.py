"""/matches is a read: it records nothing; 我有意向 on a pair it showed records that pair,
only when the two listings may be a match and the presser owns one of them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.matching.model import Listing
from bot.services import actions
from bot.services.interest import Interest, express_interest, express_interest_in_pair
from bot.services.listings import matches_of_user
from bot.services.match_index import ListingIndex
from storage.database import Database
from storage.schema import matches, outbox
from tests.services.factories import buyer, cabbage, grower, publish
from tests.stores import each


@pytest.fixture
async def db(database_target: str) -> AsyncIterator[Database]:
    database = await Database.open(database_target)
    yield database
    await database.close()


async def table(db: Database, which: Any) -> list[tuple[Any, ...]]:
    """Every row of a table, every column, in id order."""
    async with db.read() as uow:
        rows = await uow.connection.execute(select(which).order_by(which.c.id))
        return [tuple(row) for row in rows]


async def unrecorded_pair(db: Database) -> tuple[Listing, Listing]:
    """A buyer's need and a grower's offer that suit each other but were never matched:
    the offer came in outside publishing (an import), so no match was recorded."""
    g, b = await grower(db, phone="13800000001"), await buyer(db)
    need = (await publish(db, ListingIndex(db), cabbage(b.telegram_id, kind="need",
                                                        price=None))).listing
    offer = await each(db).listings.add(cabbage(g.telegram_id))
    assert await table(db, matches) == []
    return need, offer


async def show(db: Database, user_id: int) -> list[tuple[Listing, list[Any]]]:
    """/matches as the bot runs it, in a unit of work that is committed."""
    async with db.write() as uow:
        found = await matches_of_user(uow, ListingIndex(db), user_id)
        await uow.commit()
    return found


async def press_pair(db: Database, need_id: int, offer_id: int, user_id: int) -> Interest:
    async with db.write() as uow:
        result = await express_interest_in_pair(uow, need_id, offer_id, user_id)
        await uow.commit()
    return result


async def test_matches_of_user_shows_an_unrecorded_pair_and_records_nothing(
    db: Database,
) -> None:
    need, offer = await unrecorded_pair(db)
    before = await table(db, outbox)
    [(own, [view])] = await show(db, need.user_id)
    assert own.id == need.id and view.other.id == offer.id
    assert view.record is None and view.state == "new"
    assert view.interest_action == actions.pair(need.id, offer.id)
    assert await table(db, matches) == []
    assert await table(db, outbox) == before  # nobody is told anything either
    # The offer's owner sees the same pair from the other side, still unrecorded.
    [(_, [mirrored])] = await show(db, offer.user_id)
    assert mirrored.record is None and mirrored.interest_action == view.interest_action
    assert await table(db, matches) == []


async def test_matches_of_user_shows_a_recorded_pair_where_it_stands_and_changes_nothing(
    db: Database,
) -> None:
    index = ListingIndex(db)
    g, b = await grower(db), await buyer(db)
    await publish(db, index, cabbage(b.telegram_id, kind="need", price=None))
    offer = await publish(db, index, cabbage(g.telegram_id))
    record = offer.matches[0].record
    assert record is not None
    async with db.write() as uow:
        assert (await express_interest(uow, record.id, g.telegram_id)).outcome == "waiting"
        await uow.commit()
    before = await table(db, matches), await table(db, outbox)
    [(_, [view])] = await show(db, b.telegram_id)
    assert view.record is not None and view.record.id == record.id
    assert view.state == "other_interested"
    assert view.interest_action == actions.interest(record.id)
    [(_, [own_view])] = await show(db, g.telegram_id)
    assert own_view.state == "waiting_other" and own_view.interest_action is None
    assert (await table(db, matches), await table(db, outbox)) == before


async def test_pressing_a_shown_pair_records_it_and_both_presses_exchange_contacts_once(
    db: Database,
) -> None:
    need, offer = await unrecorded_pair(db)
    assert (await press_pair(db, need.id, offer.id, need.user_id)).outcome == "waiting"
    [row] = await each(db).matches.of_listing(need.id)
    assert (row.need_id, row.offer_id) == (need.id, offer.id)
    assert row.need_interest_at is not None and row.offer_interest_at is None
    [nudge] = await each(db).outbox.rows(kind="interest")
    assert nudge.chat_id == offer.user_id and "13900000002" not in nudge.payload
    # The grower pressed the same pair from their own /matches: the one match, not a second.
    result = await press_pair(db, need.id, offer.id, offer.user_id)
    assert (result.outcome, result.side) == ("exchanged", "offer")
    assert [m.id for m in await each(db).matches.of_listing(need.id)] == [row.id]
    contacts = await each(db).outbox.rows(kind="contact")
    assert sorted(m.chat_id for m in contacts) == sorted([need.user_id, offer.user_id])
    assert (await press_pair(db, need.id, offer.id, need.user_id)).outcome == "already"
    assert len(await each(db).outbox.rows(kind="contact")) == 2


async def test_a_forged_pair_of_another_users_listings_is_refused(db: Database) -> None:
    need, offer = await unrecorded_pair(db)
    stranger = await buyer(db, 3003)
    for need_id, offer_id in ((need.id, offer.id), (offer.id, need.id), (need.id, 999),
                              (999, offer.id)):
        result = await press_pair(db, need_id, offer_id, stranger.telegram_id)
        assert result.outcome == "refused", (need_id, offer_id)
    # The owners themselves cannot turn the pair round or pair with a listing that is not.
    assert (await press_pair(db, offer.id, need.id, need.user_id)).outcome == "refused"
    assert (await press_pair(db, need.id, 999, need.user_id)).outcome == "refused"
    assert await table(db, matches) == []
    assert await each(db).outbox.rows() == []


async def _other_product(db: Database, need: Listing, offer: Listing) -> None:
    async with db.write() as uow:
        # 土豆 for 大白菜: a different product, so never a match, whatever the ids say.
        await uow.listings.close(offer.id, offer.user_id, reason="closed")
        potato = await uow.listings.add(cabbage(offer.user_id, product="土豆"))
        await uow.commit()
    assert potato.id == offer.id + 1


async def _owner_blocked(db: Database, need: Listing, offer: Listing) -> None:
    assert await each(db).users.set_status(offer.user_id, "blocked")


async def _offer_closed(db: Database, need: Listing, offer: Listing) -> None:
    assert await each(db).listings.close(offer.id, offer.user_id, reason="done")


async def _offer_expired(db: Database, need: Listing, offer: Listing) -> None:
    async with db.write() as uow:
        await uow.listings.update(offer.id, offer.user_id, expires_at=1000.0)
        await uow.commit()


@pytest.mark.parametrize(
    ("spoil", "presser"),
    [(_other_product, "need"), (_owner_blocked, "need"), (_offer_closed, "need"),
     (_offer_closed, "offer"), (_offer_expired, "need")],
    ids=["different products", "a blocked owner's offer", "a closed offer",
         "the owner of the closed offer", "an expired offer"],
)
async def test_an_ineligible_pair_is_closed_and_never_recorded(
    db: Database, spoil: Callable[[Database, Listing, Listing], Awaitable[None]],
    presser: str,
) -> None:
    need, offer = await unrecorded_pair(db)
    await spoil(db, need, offer)
    offer_id = offer.id + 1 if spoil is _other_product else offer.id
    user_id = need.user_id if presser == "need" else offer.user_id
    result = await press_pair(db, need.id, offer_id, user_id)
    assert (result.outcome, result.side) == ("closed", presser)
    assert await table(db, matches) == []
    assert await each(db).outbox.rows() == []


async def test_a_pair_of_ones_own_listings_is_never_recorded(db: Database) -> None:
    admin = await each(db).users.upsert(5, role="admin", county="宝丰县")
    need = await each(db).listings.add(cabbage(admin.telegram_id, kind="need", price=None))
    offer = await each(db).listings.add(cabbage(admin.telegram_id))
    assert (await press_pair(db, need.id, offer.id, admin.telegram_id)).outcome == "closed"
    assert await table(db, matches) == []
