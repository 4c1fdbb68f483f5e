"""When the market does not cover a need: asking the emergency supplier registry.

A need that no open offer covers (no match) is taken to the registry after
``registry_after_hours`` (at once when the store survey published it for an item 告急 or
断货): the registry's best suppliers of the product (nearest first, by
:mod:`bot.matching.suppliers`) are asked, each once. A supplier with linked users gets a
request card (能供应 / 不能 / 能供应部分); one without is put on the call list of the
officials of its area (with its contact and phone), who record its answer with the same
three buttons. A request is answered once. 能供应 (or 部分) from a linked user becomes an
offer of that user at the supplier's place, matched to the need through the listing use
case, so the need's poster is told and the usual consent exchange follows.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.matching.area import CITY
from bot.matching.catalogue import get_catalogue
from bot.matching.clock import end_of_day
from bot.matching.drafts import last_valid_day
from bot.matching.engine import city_distance
from bot.matching.model import Listing
from bot.matching.stock import URGENT_STATUSES
from bot.matching.suppliers import ASKED_PER_NEED, Need, RegistryIndex
from bot.services import actions
from bot.services.digest_text import amount
from bot.services.listings import Published, publish_listing
from bot.services.match_index import ListingIndex
from bot.services.messages import Button, Message, outgoing
from bot.services.registry_index import RegistryCache
from bot.texts import suppliers as texts
from bot.texts.html import esc
from storage.interfaces import UnitOfWork
from storage.outbox import OutgoingMessage
from storage.records import STAFF_ROLES, User
from storage.suppliers import Supplier, SupplierRequest

ANSWERS = {"yes": "能供应", "no": "不能", "part": "能供应部分"}
STATUS_OF = {"yes": "yes", "no": "no", "part": "partial"}
SHOWN_STATUS = {"asked": "未答复", "yes": "能供应", "no": "不能", "partial": "能供应部分"}


def request_buttons(request_id: int) -> tuple[tuple[Button, ...], ...]:
    return ((Button(texts.CAN, actions.supplier_request("yes", request_id)),
             Button(texts.CANNOT, actions.supplier_request("no", request_id)),
             Button(texts.PARTLY, actions.supplier_request("part", request_id))),)


def _need_line(need: Listing) -> str:
    return texts.NEED_LINE.format(product=esc(need.product),
                                  amount=amount(need.quantity, need.unit),
                                  place=esc(need.place.label() or "—"), id=need.id)


def supplier_request_card(need: Listing, supplier: Supplier, request_id: int) -> Message:
    """The card a linked user of the supplier gets."""
    return Message(texts.REQUEST_CARD.format(supplier=esc(supplier.name), need=_need_line(need)),
                   request_buttons(request_id))


def call_card(need: Listing, supplier: Supplier, request_id: int) -> Message:
    """The card an official of the supplier's area gets: whom to call, then the answer."""
    return Message(texts.CALL_CARD.format(
        supplier=esc(supplier.name), type=esc(supplier.type),
        contact=esc(supplier.contact or texts.NO_CONTACT),
        phone=esc(supplier.phone or texts.NO_PHONE),
        place=esc(supplier.county + (supplier.township or "")), need=_need_line(need)),
        request_buttons(request_id))


async def uncovered_needs(uow: UnitOfWork, now: float, after_hours: float) -> list[Listing]:
    """Open needs with no match, waiting ``after_hours`` (or urgent from the survey), not
    yet taken to the registry, oldest first."""
    waiting = await uow.reports.unmatched(now, kind="need", area=CITY)
    asked = await uow.suppliers.needs_asked([n.id for n in waiting])
    fresh = [n for n in waiting if n.id not in asked]
    urgent = await uow.suppliers.urgent_needs(
        [n.id for n in fresh if n.created_at > now - after_hours * 3600], URGENT_STATUSES)
    return [n for n in fresh if n.created_at <= now - after_hours * 3600 or n.id in urgent]


async def ask_registry(uow: UnitOfWork, now: float, after_hours: float,
                       registry: RegistryCache | None = None) -> int:
    """Ask the registry for every uncovered need (see the module); outbox rows added.
    ``registry``: the index kept between runs (else built for this run)."""
    needs = await uncovered_needs(uow, now, after_hours)
    if not needs:
        return 0
    index = await (registry or RegistryCache()).index(uow)
    rows: list[OutgoingMessage] = []
    sealed = await uow.sealed_areas.active_of_receivers(n.user_id for n in needs)
    for need in needs:
        asked_for = Need(need.product, need.quantity, need.unit, need.place)
        if need.user_id in sealed:  # a sealed area's need: its designated suppliers only
            best = (await _designated(uow, sealed[need.user_id][0].id, need.product)).best(
                asked_for, ASKED_PER_NEED)
        else:
            best = index.best(asked_for, ASKED_PER_NEED)
        found = await uow.suppliers.by_ids([e.supplier_id for e in best])
        linked = await uow.suppliers.users_of(found)
        people = await uow.users.by_ids([u for ids in linked.values() for u in ids])
        for entry in best:
            supplier = found[entry.supplier_id]
            online = [people[u] for u in linked.get(supplier.id, [])
                      if u in people and people[u].status == "active"
                      and u != need.user_id]
            channel = "bot" if online else "call"
            request = await uow.suppliers.ask(need.id, supplier.id, channel, now)
            if request is None:
                continue
            if online:
                card = supplier_request_card(need, supplier, request.id)
                rows += [outgoing(f"registry:{request.id}:{u.telegram_id}", u.telegram_id,
                                  "registry_request", card) for u in online]
                continue
            card = call_card(need, supplier, request.id)
            officials = await uow.users.officials_covering(supplier.county, supplier.township)
            rows += [outgoing(f"registry-call:{request.id}:{o.telegram_id}", o.telegram_id,
                              "registry_call", card) for o in officials]
    return await uow.outbox.enqueue(rows)


async def _designated(uow: UnitOfWork, area_id: int, product: str) -> RegistryIndex:
    """The registry index of a sealed area's designated suppliers of ``product``."""
    designated = set(await uow.sealed_areas.suppliers_of(area_id))
    rows = await uow.suppliers.capacity_rows([product])
    return RegistryIndex.from_rows([r for r in rows if r[0] in designated], city_distance())


@dataclass(frozen=True, slots=True)
class Asked:
    """A request as its answerer sees it."""

    request: SupplierRequest
    supplier: Supplier
    need: Listing
    by_official: bool


async def request_for(uow: UnitOfWork, request_id: int, user: User) -> Asked | str:
    """The request ``user`` may answer: as a linked user of its supplier, or as an
    official whose area holds the supplier; else "not_yours" (or "gone")."""
    request = await uow.suppliers.request(request_id)
    if request is None:
        return "gone"
    supplier = await uow.suppliers.get(request.supplier_id)
    need = await uow.listings.get(request.need_id)
    if supplier is None or need is None:
        return "gone"
    if user.status != "active":
        return "not_yours"
    if user.telegram_id in (await uow.suppliers.users_of([supplier.id])).get(supplier.id, []):
        return Asked(request, supplier, need, by_official=False)
    if user.role in STAFF_ROLES and user.area.contains(supplier.place):
        return Asked(request, supplier, need, by_official=True)
    return "not_yours"


@dataclass(frozen=True, slots=True)
class Answered:
    recorded: bool  # False: it had been answered already
    published: Published | None = None


async def answer(uow: UnitOfWork, index: ListingIndex, asked: Asked, user: User, action: str,
                 quantity: float | None, *, today: date, tz: ZoneInfo,
                 now: float | None = None) -> Answered:
    """Record the answer (``action`` yes, no or part with ``quantity`` in the need's unit),
    once. 能供应 (or 部分) from a linked user publishes the supplier's offer for the need."""
    now = time.time() if now is None else now
    need = asked.need
    offered = need.quantity if action == "yes" else quantity
    unit = need.unit if action != "no" else None
    if not await uow.suppliers.answer(asked.request.id, status=STATUS_OF[action],
                                      quantity=offered if action != "no" else None,
                                      unit=unit, by=user.telegram_id, now=now):
        return Answered(False)
    if action == "no" or asked.by_official or need.status != "open":
        return Answered(True)
    published = await publish_listing(
        uow, index, _offer(asked, user, offered, today, tz, now), today=today,
        publish_key=f"registry:{asked.request.id}", now=now)
    await uow.suppliers.set_offer(asked.request.id, published.listing.id)
    return Answered(True, published)


def _offer(asked: Asked, user: User, quantity: float | None, today: date, tz: ZoneInfo,
           now: float) -> Listing:
    need, supplier = asked.need, asked.supplier
    product = get_catalogue().get(need.product)
    last_day = last_valid_day(None, need.product, today)
    shown = amount(quantity, need.unit)
    return Listing(
        id=0, kind="offer", product=need.product, quantity=quantity, unit=need.unit,
        price=None, price_unit=None, place=supplier.place, created_at=now,
        expires_at=end_of_day(last_day, tz), user_id=user.telegram_id,
        category=product.category if product else "", quantity_as_written=quantity,
        unit_as_written=(need.unit if need.unit != "kg" else "公斤") if need.unit else None,
        valid_until=last_day,
        raw_text=texts.OFFER_TEXT.format(product=need.product, amount=shown,
                                         supplier=supplier.name))


def answer_lines(requests: Sequence[SupplierRequest], suppliers: dict[int, Supplier]) -> list[str]:
    """Who in the registry was asked for a need and what they answered (HTML lines)."""
    lines = []
    for r in requests:
        supplier = suppliers.get(r.supplier_id)
        status = SHOWN_STATUS.get(r.status, r.status)
        if r.status == "partial":
            status += " " + amount(r.quantity, r.unit)
        lines.append(texts.ASKED_LINE.format(
            supplier=esc(supplier.name if supplier else "—"),
            how=texts.BY_BOT if r.channel == "bot" else texts.BY_CALL, status=status))
    return lines


async def registry_lines(uow: UnitOfWork, need_ids: Sequence[int]) -> dict[int, str]:
    """For each need the registry was asked for: a block (starting with a line break)
    saying who was asked and what they answered."""
    requests = await uow.suppliers.requests_of(need_ids)
    found = await uow.suppliers.by_ids({r.supplier_id for rs in requests.values() for r in rs})
    return {need_id: "\n" + "\n".join([texts.ASKED_HEAD, *answer_lines(rs, found)])
            for need_id, rs in requests.items() if rs}


async def pending_calls(uow: UnitOfWork, official: User) -> list[tuple[str, int]]:
    """The unanswered call-list requests of the official's area: (to-do text, need id)."""
    if official.role not in STAFF_ROLES or official.status != "active":
        return []
    calls = await uow.suppliers.calls_in(official.area)
    needs = await uow.listings.get_many([r.need_id for r, _ in calls])
    found = []
    for request, supplier in calls:
        need = needs.get(request.need_id)
        if need is None or need.status != "open":
            continue
        found.append((texts.TODO_CALL.format(
            supplier=esc(supplier.name), contact=esc(supplier.contact or texts.NO_CONTACT),
            phone=esc(supplier.phone or texts.NO_PHONE), need=_need_line(need)), need.id))
    return found
