"""Use cases of 关注: follow a product (optionally within an area), unfollow, and tell
followers of each new listing of it.

A follower hears of each new listing of a followed product once (outbox key
``follow:{user}:{listing}``), in the unit of work that publishes the listing, at most
``FARMDOCK_FOLLOW_NOTICES_PER_DAY`` a day: the count is kept in the database, so it
holds across workers. A buyer hears of offers, a grower of needs, staff of both.
Officials follow only within their own area; an area that cannot be read is refused,
never read as a wider one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.matching.area import CITY, Area, AreaError, resolve_area
from bot.matching.catalogue import get_catalogue
from bot.matching.model import Listing
from bot.services import buttons

# A module import: publishing a listing (bot.services.listings) calls notify_followers.
from bot.services import listings as listing_texts
from bot.services.messages import Message, outgoing
from bot.texts import follows as texts
from storage.follows import Follow
from storage.interfaces import UnitOfWork
from storage.outbox import OutgoingMessage
from storage.records import User

FOLLOW_KIND = "follow"
FollowOutcome = Literal["followed", "already", "unknown_product", "unknown_area",
                        "outside_area", "not_for_role"]
# Which kind of listing each role hears about.
_WANTS = {"buyer": ("offer",), "grower": ("need",), "official": ("offer", "need"),
          "admin": ("offer", "need")}


@dataclass(frozen=True, slots=True)
class FollowResult:
    outcome: FollowOutcome
    follow: Follow | None = None
    product: str = ""
    area: Area | None = None


def area_label(area: Area) -> str | None:
    """The label a follow's area is shown with; None for the whole city."""
    return None if area == CITY else area.label


async def follow(
    uow: UnitOfWork, user: User, product_text: str, area_text: str | None = None
) -> FollowResult:
    """``user`` follows the product ``product_text`` names, within ``area_text`` if given
    (an official's own area when not). Citizens and hotline operators hear of no
    listings, so they follow nothing."""
    if user.role not in _WANTS:
        return FollowResult("not_for_role", product=product_text)
    product = get_catalogue().lookup(product_text)
    if product is None:
        return FollowResult("unknown_product", product=product_text)
    if area_text:
        try:
            area = resolve_area(area_text)
        except AreaError:
            return FollowResult("unknown_area", product=product.name)
    else:
        area = user.area if user.role == "official" else CITY
    if user.role == "official" and not user.area.covers(area):
        return FollowResult("outside_area", product=product.name, area=area)
    found, new = await uow.follows.add(user.telegram_id, product.name, area)
    return FollowResult("followed" if new else "already", found, product.name, area)


async def follow_listing_product(uow: UnitOfWork, user: User, listing_id: int
                                 ) -> FollowResult | None:
    """关注 under a match list: follow the product of one of ``user``'s own listings,
    city-wide; None when the listing is not theirs."""
    listing = await uow.listings.get(listing_id)
    if listing is None or listing.user_id != user.telegram_id or user.role == "official":
        return None
    found, new = await uow.follows.add(user.telegram_id, listing.product, CITY)
    return FollowResult("followed" if new else "already", found, listing.product, CITY)


async def notify_followers(
    uow: UnitOfWork, listing: Listing, today: date, cap: int, *, told: set[int]
) -> int:
    """Tell the followers of ``listing``'s product about it (those in ``told`` heard of it
    already, as matched counterparts); return outbox rows added."""
    follows = await uow.follows.of_product(listing.product)
    if not follows:
        return 0
    people = await uow.users.by_ids(sorted({f.user_id for f in follows}))
    chosen: dict[int, Follow] = {}
    for f in follows:
        user = people.get(f.user_id)
        if (user is None or user.status != "active" or user.telegram_id == listing.user_id
                or user.telegram_id in told or user.telegram_id in chosen
                or listing.kind not in _WANTS.get(user.role, ())
                or not f.area.contains(listing.place)):
            continue
        # An official whose area changed since hears only of what it covers now.
        if user.role == "official" and not (user.area.covers(f.area)
                                             and user.area.contains(listing.place)):
            continue
        chosen[user.telegram_id] = f
    keys = {uid: f"follow:{uid}:{listing.id}" for uid in chosen}
    known = await uow.outbox.known_keys(list(keys.values()))
    # Told already (the same listing published twice) counts nothing again.
    allowed = await uow.follows.take_quotas(
        [uid for uid in chosen if keys[uid] not in known], today.isoformat(), cap)
    notices: list[OutgoingMessage] = []
    for uid, f in chosen.items():
        if uid not in allowed:
            continue
        text = texts.notice(f.product, area_label(f.area), listing.id,
                            listing_texts.listing_summary(listing),
                            listing.place.label(), listing.valid_until, today)
        notices.append(outgoing(keys[uid], uid, FOLLOW_KIND,
                                Message(text, buttons.unfollow(f.id))))
    return await uow.outbox.enqueue(notices)
