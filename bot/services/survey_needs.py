"""Shortages become needs: what the survey does after a store reports.

For each item the store reported on the day:

- below target (偏紧, 告急, 断货) and no need of the survey open for it: a need is drafted
  for the quantity that brings the stock back to the target (target days × average daily
  sales − stock), and each manager of the store gets a card (发布 / 改数量 / 不需要). At
  告急 or 断货 the card says so and the store's officer is told at once. A draft declined
  (不需要) that day is not drafted again that day.
- back at or above target with a need of the survey open for it: each manager is told, and
  the need is closed (its listing too, when it was published).

When reports are due (the survey's deadline job), a county-level unit where more than
half of the stores reporting an item are 偏紧 or worse is flagged to its officials and the
city's, once a day per item.

On 发布 the draft becomes an ordinary need on the market, published through the listing
use case (matched, notified, escalated like any other). Every message goes through the
outbox under a key naming what it is about, in the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.matching.area import Area
from bot.matching.catalogue import get_catalogue, get_usual_packs
from bot.matching.clock import end_of_day
from bot.matching.drafts import last_valid_day
from bot.matching.model import Listing
from bot.matching.stock import SHORT_STATUSES, URGENT_STATUSES, get_targets, shortfall
from bot.matching.survey import get_survey_items
from bot.services import actions
from bot.services.digest_text import amount
from bot.services.listings import Published, close_listing, publish_listing
from bot.services.match_index import ListingIndex
from bot.services.messages import Button, Message, outgoing
from bot.services.survey import StoreItem, area_items, stock_rows, target_of
from bot.texts import survey as texts
from bot.texts.html import esc
from storage.interfaces import UnitOfWork
from storage.outbox import OutgoingMessage
from storage.survey import Store, SurveyNeed


@dataclass(frozen=True, slots=True)
class AfterReport:
    """What a report set going: needs drafted and closed, officers told."""

    drafted: list[SurveyNeed]
    closed: list[SurveyNeed]
    urgent: list[StoreItem]
    rows: list[StoreItem]


def card(need: SurveyNeed, store: Store, row: StoreItem | None) -> Message:
    """The drafted need's card for a manager: why, how much, and its three buttons."""
    stock = row.stock if row is not None else None
    lines = [texts.CARD_URGENT.format(status=need.urgency)] if need.urgency in URGENT_STATUSES \
        else []
    lines.append(texts.CARD.format(
        store=esc(store.label), product=esc(need.product), status=need.urgency,
        days="—" if stock is None or stock.days_of_stock is None
        else f"{stock.days_of_stock:.1f}",
        amount=amount(need.quantity, need.unit)))
    rows = ((Button(texts.PUBLISH, actions.survey_need("pub", need.id)),
             Button(texts.CHANGE_QUANTITY, actions.survey_need("qty", need.id)),
             Button(texts.NOT_NEEDED, actions.survey_need("no", need.id))),)
    return Message("\n".join(lines), rows)


async def after_report(uow: UnitOfWork, store: Store, day: date, now: float) -> AfterReport:
    """Draft needs for the store's short items of ``day``, close those back above target,
    tell the store's officer of 告急 and 断货 (see the module docstring)."""
    return await after_reports(uow, {store.id: store}, day, now)


async def after_reports(uow: UnitOfWork, stores: Mapping[int, Store], day: date,
                        now: float, rows: Sequence[StoreItem] | None = None) -> AfterReport:
    """:func:`after_report` for many stores at once: a handful of queries whatever their
    number (the whole city's survey day in one go). ``rows``: the stores' survey table of
    the day when the caller has it already."""
    items, targets, packs = get_survey_items(), get_targets(), get_usual_packs()
    ids = list(stores)
    if rows is None:
        rows = stock_rows(await uow.survey.day_figures(day, ids), stores, day, items, targets,
                          packs)
    active = {(n.store_id, n.product): n for n in await uow.survey.active_needs(ids)}
    declined = await uow.survey.dismissed_on(day)
    managers = await uow.survey.managers_of(ids)
    officers = await uow.survey.officers_of(ids)
    out: list[OutgoingMessage] = []
    wanted: list[tuple[StoreItem, float]] = []
    closed: list[SurveyNeed] = []
    urgent: list[StoreItem] = []
    for row in rows:
        stock, store = row.stock, row.store
        need = active.get((store.id, stock.product))
        target = target_of(stock.product, items, targets)
        assert target is not None  # stock_rows keeps surveyed items only
        if stock.status in SHORT_STATUSES:
            quantity = shortfall(stock, target)
            if need is None and (store.id, stock.product) not in declined \
                    and quantity is not None:
                wanted.append((row, quantity))
            if stock.status in URGENT_STATUSES:
                urgent.append(row)
                officer = officers.get(store.id)
                if officer is not None:
                    out.append(_urgent_notice(row, day, officer))
        elif stock.status == "充足" and need is not None:
            out += [outgoing(f"survey-closed:{need.id}:{m}", m, "survey_need", Message(
                texts.NEED_CLOSED.format(store=esc(store.label), product=esc(need.product))))
                for m in managers.get(store.id, [])]
            await close_need(uow, need, now)
            closed.append(need)
    drafted = await uow.survey.add_needs([
        {"store_id": row.store.id, "product": row.stock.product, "day": day.isoformat(),
         "urgency": row.stock.status, "quantity": quantity, "unit": row.stock.stock_unit}
        for row, quantity in wanted], now)
    for need, (row, _quantity) in zip(drafted, wanted, strict=True):
        message = card(need, row.store, row)
        out += [outgoing(f"survey-card:{need.id}:{m}", m, "survey_need", message)
                for m in managers.get(row.store.id, [])]
    await uow.outbox.enqueue(out)
    return AfterReport(drafted, closed, urgent, list(rows))


def _urgent_notice(row: StoreItem, day: date, officer: int) -> OutgoingMessage:
    stock, store = row.stock, row.store
    return outgoing(
        f"survey-urgent:{store.id}:{stock.product}:{day.isoformat()}:{officer}", officer,
        "survey_urgent", Message(texts.OFFICER_URGENT.format(
            store=esc(store.label), product=esc(stock.product), status=stock.status,
            stock=amount(stock.stock, stock.stock_unit),
            days="—" if stock.days_of_stock is None else f"{stock.days_of_stock:.1f}")))


async def area_alerts(uow: UnitOfWork, county: str, day: date) -> list[OutgoingMessage]:
    """The cStock rule: when more than half of the stores of ``county`` reporting an item on
    ``day`` are 偏紧 or worse, the county's officials and the city's are told, once a day
    per item (the outbox key)."""
    items, targets, packs = get_survey_items(), get_targets(), get_usual_packs()
    stores = {s.id: s for s in await uow.survey.stores_in(Area.of(county, None))}
    rows = stock_rows(await uow.survey.day_figures(day, list(stores)), stores, day, items,
                      targets, packs)
    alerts = [a for a in area_items(rows, items) if a.short * 2 > a.reporting]
    if not alerts:
        return []
    officials = [o for o in await uow.users.officials_covering(county, None)
                 if o.township is None]
    out = []
    for alert in alerts:
        message = Message(texts.AREA_ALERT.format(
            county=esc(county), product=esc(alert.product), short=alert.short,
            reporting=alert.reporting, tight=alert.tight, emergency=alert.emergency,
            out=alert.out, median="—" if alert.median_days is None
            else f"{alert.median_days:.1f}"))
        out += [outgoing(f"survey-area:{day.isoformat()}:{county}:{alert.product}:"
                         f"{o.telegram_id}", o.telegram_id, "survey_area", message)
                for o in officials]
    return out


async def close_need(uow: UnitOfWork, need: SurveyNeed, now: float) -> None:
    """Close the survey's need, and its listing when it was published and is still open."""
    if need.listing_id is not None:
        listing = await uow.listings.get(need.listing_id)
        if listing is not None and listing.status == "open":
            await close_listing(uow, listing, listing.user_id, "closed")
    await uow.survey.set_need(need.id, now=now, expect=("draft", "published"), status="closed")


async def need_of_manager(uow: UnitOfWork, need_id: int, user_id: int
                          ) -> tuple[SurveyNeed, Store] | str:
    """The need and its store when ``user_id`` manages the store; else why not: "gone"
    (no such need) or "not_yours"."""
    need = await uow.survey.get_need(need_id)
    if need is None:
        return "gone"
    if user_id not in await uow.survey.managers(need.store_id):
        return "not_yours"
    store = await uow.survey.get_store(need.store_id)
    return (need, store) if store is not None else "gone"


async def publish_need(uow: UnitOfWork, index: ListingIndex, need: SurveyNeed, store: Store,
                       manager_id: int, *, today: date, tz: ZoneInfo, now: float
                       ) -> Published | None:
    """发布: the drafted need as an ordinary need of the manager, at the store's place,
    published through the listing use case; None when it is no longer a draft."""
    if need.status != "draft":
        return None
    product = get_catalogue().get(need.product)
    last_day = last_valid_day(None, need.product, today)
    listing = Listing(
        id=0, kind="need", product=need.product, quantity=need.quantity, unit=need.unit,
        price=None, price_unit=None, place=store.place, created_at=now,
        expires_at=end_of_day(last_day, tz), user_id=manager_id,
        category=product.category if product else "", quantity_as_written=need.quantity,
        unit_as_written=need.unit if need.unit != "kg" else "公斤", valid_until=last_day,
        raw_text=texts.NEED_TEXT.format(product=need.product, store=store.label,
                                        amount=_plain_amount(need.quantity, need.unit)),
    )
    published = await publish_listing(uow, index, listing, today=today,
                                      publish_key=f"survey-need:{need.id}", now=now)
    await uow.survey.set_need(need.id, now=now, expect=("draft",), status="published",
                              listing_id=published.listing.id)
    return published


def _plain_amount(quantity: float, unit: str) -> str:
    shown = "公斤" if unit == "kg" else unit
    return f"{quantity:g}{shown}"


async def change_quantity(uow: UnitOfWork, need: SurveyNeed, quantity: float, now: float
                          ) -> SurveyNeed | None:
    """改数量: the draft's new quantity (in its unit); None when it is no longer a draft."""
    if not await uow.survey.set_need(need.id, now=now, expect=("draft",), quantity=quantity):
        return None
    return await uow.survey.get_need(need.id)


async def decline_need(uow: UnitOfWork, need: SurveyNeed, now: float) -> bool:
    """不需要: the draft is dropped, and not drafted again today."""
    return await uow.survey.set_need(need.id, now=now, expect=("draft",), status="dismissed")
