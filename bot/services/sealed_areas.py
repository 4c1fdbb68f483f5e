"""Use cases of sealed areas (封控区定向配送): declare, designate suppliers, register
receivers, lift; who may do each. The matching rule itself is in
:mod:`bot.matching.sealed` and applied by :mod:`bot.services.listings`.

Each takes the caller's unit of work and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.matching.area import Area
from bot.matching.sealed import LEVELS, compounds
from bot.services.listings import rematch_listing
from bot.services.match_index import ListingIndex
from bot.services.messages import Message, outgoing
from bot.services.suppliers import find_supplier
from bot.texts import sealed_areas as texts
from bot.texts.html import esc
from storage.interfaces import UnitOfWork
from storage.records import User
from storage.sealed_areas import SealedArea
from storage.suppliers import Supplier


def may_manage(user: User | None, area: Area) -> bool:
    """Whether ``user`` may declare, lift or designate for a sealed area in ``area``: an
    active official (or admin) of the city or of the area's county, never a township's."""
    if user is None or user.status != "active" or not user.is_staff:
        return False
    return user.area.level != "township" and user.area.covers(area)


async def declare(uow: UnitOfWork, *, name: str, area: Area, level: str, compounds_text: str,
                  start: str, by: int | None, now: float) -> SealedArea | str:
    """Declare a sealed area in a township; else the Chinese reason."""
    name = " ".join(name.split())
    if not name:
        return texts.EMPTY_NAME
    if level not in LEVELS:
        return texts.BAD_LEVEL.format(level=level)
    if area.county is None or area.township is None:
        return texts.NOT_A_TOWNSHIP.format(region=area.label)
    try:
        start_day = date.fromisoformat(start.strip()).isoformat()
    except ValueError:
        return texts.BAD_START.format(start=start)
    return await uow.sealed_areas.declare(
        name=name, county=area.county, township=area.township,
        compounds=compounds(compounds_text), level=level, start=start_day, by=by, now=now)


async def active_area(uow: UnitOfWork, text: str) -> SealedArea | str:
    """The sealed area ``text`` (its id) names and still active; else the Chinese reason."""
    found = await uow.sealed_areas.get(int(text)) if text.strip().isdigit() else None
    if found is None:
        return texts.NO_SUCH_AREA.format(area=text)
    if not found.active:
        return texts.LIFTED_ALREADY.format(name=found.name)
    return found


async def designate(uow: UnitOfWork, area: SealedArea, supplier_text: str,
                    now: float) -> Supplier | str:
    supplier = await find_supplier(uow, supplier_text)
    if isinstance(supplier, str):
        return supplier
    await uow.sealed_areas.designate(area.id, supplier.id, now)
    return supplier


async def add_receiver(uow: UnitOfWork, area: SealedArea, user_id: int, point: str,
                       now: float) -> User | str:
    """Make a signed-up user a receiver of the area at ``point`` and tell them."""
    point = " ".join(point.split())
    if not point:
        return texts.EMPTY_POINT
    user = await uow.users.get(user_id)
    if user is None:
        return texts.NO_SUCH_USER.format(user=user_id)
    await uow.sealed_areas.set_receiver(area.id, user_id, point, now)
    await uow.outbox.enqueue([outgoing(
        f"sealed-receiver:{area.id}:{user_id}:{int(now)}", user_id, "sealed_area",
        Message(texts.RECEIVER_NOTICE.format(name=esc(area.name), level=area.level,
                                             point=esc(point))))])
    return user


@dataclass(frozen=True, slots=True)
class Lifted:
    area: SealedArea
    rematched: int  # open needs matched again on the open market
    told: int  # receivers told


async def lift(uow: UnitOfWork, index: ListingIndex, area: SealedArea, *, by: int | None,
               today: date, now: float) -> Lifted | str:
    """Lift the area: its receivers' open needs return to the open market, matched again
    at once, and each receiver is told."""
    if not await uow.sealed_areas.lift(area.id, by, now):
        return texts.LIFTED_ALREADY.format(name=area.name)
    receivers = await uow.sealed_areas.receivers_of(area.id)
    # A receiver of another active area stays inside that one.
    still = await uow.sealed_areas.active_of_receivers(r.user_id for r in receivers)
    freed = [r for r in receivers if r.user_id not in still]
    needs = await uow.sealed_areas.open_listings_of_users([r.user_id for r in freed], "need")
    for need in needs:
        await rematch_listing(uow, index, need, today=today, now=now)
    per_user: dict[int, int] = {}
    for need in needs:
        per_user[need.user_id] = per_user.get(need.user_id, 0) + 1
    told = await uow.outbox.enqueue([outgoing(
        f"sealed-lifted:{area.id}:{r.user_id}", r.user_id, "sealed_area",
        Message(texts.LIFTED_NOTICE.format(name=esc(area.name), level=area.level,
                                           count=per_user.get(r.user_id, 0))))
        for r in freed])
    lifted = await uow.sealed_areas.get(area.id)
    assert lifted is not None
    return Lifted(lifted, len(needs), told)


async def area_json(uow: UnitOfWork, area: SealedArea) -> dict[str, Any]:
    """The area as ``farmdock areas`` prints it."""
    supplier_ids = await uow.sealed_areas.suppliers_of(area.id)
    found = await uow.suppliers.by_ids(supplier_ids)
    return {
        "id": area.id, "name": area.name, "county": area.county, "township": area.township,
        "compounds": area.compound_list, "level": area.level, "start": area.start,
        "active": area.active, "lifted_at": area.lifted_at,
        "suppliers": [{"id": i, "name": found[i].name, "flags": found[i].flag_list}
                      for i in supplier_ids if i in found],
        "receivers": [{"telegram_id": r.user_id, "point": r.point}
                      for r in await uow.sealed_areas.receivers_of(area.id)],
    }
