"""Delivery tasks into sealed areas: a consented match into a sealed area becomes a task
(assigned); its supplier presses 已发车, optionally with the plate (dispatched); its
receiver presses 已签收 with the quantity received (received), a shortfall recorded.

Each takes the caller's unit of work and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.matching.sealed import may_supply
from bot.services import actions
from bot.services.digest_text import amount
from bot.services.messages import Button, Message, outgoing
from bot.texts import sealed_areas as texts
from bot.texts.html import esc
from storage.interfaces import UnitOfWork
from storage.records import Listing, MatchRecord, User
from storage.sealed_areas import Delivery

# FARMDOCK_DELIVERY_LATE_HOURS's default, for callers without settings.
DELIVERY_LATE_HOURS = 12.0


async def may_pair(uow: UnitOfWork, need: Listing, offer: Listing) -> bool:
    """Whether the offer may be matched to the need under the sealed areas' rule (a pair
    pressed from a card is never trusted)."""
    sealed = (await uow.sealed_areas.active_of_receivers([need.user_id])).get(need.user_id)
    if sealed is None:
        return True
    return may_supply(sealed[0].id, await uow.sealed_areas.areas_served_by(offer.user_id))


async def assign(uow: UnitOfWork, match: MatchRecord, need: Listing, offer: Listing,
                 now: float) -> Delivery | None:
    """The delivery task of a match both sides consented to, when it goes into a sealed
    area its supplier serves; the supplier and the receiver get their cards. None for a
    match of the open market (or one that has its task already)."""
    sealed = (await uow.sealed_areas.active_of_receivers([need.user_id])).get(need.user_id)
    if sealed is None:
        return None
    area, receiver = sealed
    if area.id not in await uow.sealed_areas.areas_served_by(offer.user_id):
        return None
    quantity, unit = need.quantity, need.unit
    if quantity is not None and offer.quantity is not None and offer.unit == unit:
        quantity = min(quantity, offer.quantity)
    task = await uow.sealed_areas.add_delivery(
        area_id=area.id, match_id=match.id, supplier_user=offer.user_id,
        receiver_user=need.user_id, product=need.product, quantity=quantity, unit=unit,
        point=receiver.point, now=now)
    if task is None:
        return None
    people = await uow.users.by_ids([need.user_id, offer.user_id])
    speaks_for = await uow.suppliers.names_for_users([offer.user_id])
    receiver_name = people[need.user_id].name if need.user_id in people else ""
    supplier_name = speaks_for.get(offer.user_id) or (
        people[offer.user_id].name if offer.user_id in people else "")
    shown = amount(quantity, unit)
    await uow.outbox.enqueue([
        outgoing(f"delivery:{task.id}:supplier", offer.user_id, "delivery", Message(
            texts.TASK_FOR_SUPPLIER.format(
                id=task.id, area=esc(area.name), level=area.level, product=esc(task.product),
                amount=shown, point=esc(task.point), receiver=esc(receiver_name)),
            ((Button(texts.DISPATCHED_BUTTON, actions.delivery("go", task.id)),),))),
        outgoing(f"delivery:{task.id}:receiver", need.user_id, "delivery", Message(
            texts.TASK_FOR_RECEIVER.format(
                id=task.id, supplier=esc(supplier_name), product=esc(task.product),
                amount=shown, point=esc(task.point)),
            ((Button(texts.RECEIVED_BUTTON, actions.delivery("got", task.id)),),))),
    ])
    return task


Role = Literal["supplier", "receiver"]


async def task_for(uow: UnitOfWork, delivery_id: int, user: User,
                   role: Role) -> Delivery | Literal["not_yours", "done"]:
    """The task ``user`` acts on as its supplier (已发车) or receiver (已签收): ``not_yours``
    for anyone else's (or none), ``done`` when that step is behind it."""
    task = await uow.sealed_areas.delivery(delivery_id)
    owner = None if task is None else (
        task.supplier_user if role == "supplier" else task.receiver_user)
    if task is None or owner != user.telegram_id:
        return "not_yours"
    if task.status == "received" or (role == "supplier" and task.status != "assigned"):
        return "done"
    return task


def plate_note(plate: str | None) -> str:
    return f"，车牌{esc(plate)}" if plate else ""


async def dispatch(uow: UnitOfWork, task: Delivery, plate: str | None, now: float) -> bool:
    """已发车: False when it was dispatched already; the receiver is told."""
    plate = " ".join((plate or "").split())[:20] or None
    if not await uow.sealed_areas.dispatch(task.id, plate, now):
        return False
    await uow.outbox.enqueue([outgoing(
        f"delivery:{task.id}:dispatched", task.receiver_user, "delivery", Message(
            texts.DISPATCHED_NOTICE.format(id=task.id, product=esc(task.product),
                                           plate=plate_note(plate))))])
    return True


@dataclass(frozen=True, slots=True)
class Received:
    received: float
    shortfall: float | None


async def receive(uow: UnitOfWork, task: Delivery, quantity: float,
                  now: float) -> Received | None:
    """已签收 with the quantity received (in the task's unit); the shortfall is what the
    task asked for beyond it. None when it was received already; the supplier is told."""
    shortfall = (round(task.quantity - quantity, 6)
                 if task.quantity is not None and quantity < task.quantity else None)
    if not await uow.sealed_areas.receive(task.id, quantity, shortfall, now):
        return None
    got = amount(quantity, task.unit)
    text = (texts.RECEIVED_SHORT_NOTICE.format(id=task.id, received=got,
                                               shortfall=amount(shortfall, task.unit))
            if shortfall else texts.RECEIVED_NOTICE.format(id=task.id, received=got))
    await uow.outbox.enqueue([outgoing(f"delivery:{task.id}:received", task.supplier_user,
                                       "delivery", Message(text))])
    return Received(quantity, shortfall)


def is_late(task: Delivery, now: float, late_hours: float) -> bool:
    """Still open ``late_hours`` after it was assigned."""
    return task.status != "received" and task.created_at <= now - late_hours * 3600
