"""Supply-assurance officers (保供服务官): assigning them to stores, their to-do list, their
morning message, and the reminders to stores that have not reported.

The to-do list is put together from a list of sources (:data:`TODO_SOURCES`), each an
async function giving entries for an officer's stores on a day; a new kind of entry (the
hotline's overdue tickets) is one more source in that list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.matching.area import Area
from bot.matching.catalogue import get_usual_packs
from bot.matching.model import CITY_NAME
from bot.matching.phones import mask_phones
from bot.matching.stock import URGENT_STATUSES, get_targets
from bot.matching.survey import get_survey_items
from bot.services.digest_text import amount
from bot.services.messages import Message, outgoing
from bot.services.registry_requests import pending_calls
from bot.services.survey import stock_rows
from bot.services.survey_needs import area_alerts
from bot.services.tickets import overdue_tickets
from bot.texts import survey as texts
from bot.texts.html import esc
from storage.interfaces import UnitOfWork
from storage.outbox import OutgoingMessage
from storage.records import User
from storage.survey import Store


@dataclass(frozen=True, slots=True)
class TodoEntry:
    """One thing on an officer's list: what kind, which store, what to say (HTML)."""

    kind: str  # not_reported, urgent, need_open, need_matched … (a source's own kinds)
    store_id: int | None
    text: str
    listing_id: int | None = None


@dataclass(frozen=True, slots=True)
class TodoContext:
    """What every source is given: the unit of work, the officer, their stores, the day."""

    uow: UnitOfWork
    officer: User
    stores: Sequence[Store]
    day: date
    now: float


TodoSource = Callable[[TodoContext], Awaitable[list[TodoEntry]]]


@dataclass(frozen=True, slots=True)
class Todo:
    officer: User
    stores: list[Store]
    day: date
    entries: list[TodoEntry] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[TodoEntry]:
        return [e for e in self.entries if e.kind == kind]


def can_assign(assigner: User | None, official: User, store: Store) -> str | None:
    """Why ``assigner`` (None: the operator's command line) may not make ``official`` the
    officer of ``store``, or None when they may: the official is an active official whose
    area holds the store; an assigner in the bot is a city or county official whose area
    holds it too."""
    if official.role != "official" or official.status != "active":
        return texts.ASSIGN_NOT_OFFICIAL
    if not official.area.contains(store.place):
        return texts.ASSIGN_OUTSIDE.format(store=store.label, area=official.area.label)
    if assigner is not None:
        allowed = assigner.role == "admin" or (
            assigner.role == "official" and assigner.status == "active"
            and assigner.area.township is None and assigner.area.contains(store.place))
        if not allowed:
            return texts.ASSIGN_NOT_ALLOWED
    return None


async def assign(uow: UnitOfWork, store: Store, official: User, assigner: User | None,
                 now: float) -> str | None:
    """Make ``official`` the store's officer when allowed (see :func:`can_assign`); the
    reason when not. Audited."""
    refused = can_assign(assigner, official, store)
    if refused is not None:
        return refused
    by = assigner.telegram_id if assigner is not None else None
    await uow.survey.assign_officer(store.id, official.telegram_id, by, now)
    await uow.audit.write(by, "survey.assign_officer", f"store:{store.id}",
                          official=official.telegram_id)
    return None


# --- the to-do list ------------------------------------------------------------------


async def not_reported(ctx: TodoContext) -> list[TodoEntry]:
    """Stores that have not reported today."""
    reported = await ctx.uow.survey.reported_stores(ctx.day)
    return [TodoEntry("not_reported", s.id, texts.TODO_NOT_REPORTED.format(store=esc(s.label)))
            for s in ctx.stores if s.id not in reported]


async def urgent_items(ctx: TodoContext) -> list[TodoEntry]:
    """Items 告急 or 断货 in today's reports."""
    stores = {s.id: s for s in ctx.stores}
    figures = await ctx.uow.survey.day_figures(ctx.day, list(stores))
    rows = stock_rows(figures, stores, ctx.day, get_survey_items(), get_targets(),
                      get_usual_packs())
    return [TodoEntry("urgent", r.store.id, texts.TODO_URGENT.format(
        store=esc(r.store.label), product=esc(r.stock.product), status=r.stock.status,
        stock=amount(r.stock.stock, r.stock.stock_unit))) for r in rows
        if r.stock.status in URGENT_STATUSES]


async def open_needs(ctx: TodoContext) -> list[TodoEntry]:
    """The survey's needs still open: drafted and not yet published, or published and
    matched or not."""
    stores = {s.id: s for s in ctx.stores}
    found = []
    for need in await ctx.uow.survey.active_needs(list(stores)):
        store = stores[need.store_id]
        what = amount(need.quantity, need.unit)
        if need.listing_id is None:
            found.append(TodoEntry("need_draft", store.id, texts.TODO_NEED_DRAFT.format(
                store=esc(store.label), product=esc(need.product), amount=what)))
            continue
        matched = bool(await ctx.uow.matches.of_listing(need.listing_id))
        found.append(TodoEntry(
            "need_matched" if matched else "need_open", store.id,
            (texts.TODO_NEED_MATCHED if matched else texts.TODO_NEED_OPEN).format(
                store=esc(store.label), product=esc(need.product), amount=what,
                id=need.listing_id), need.listing_id))
    return found


async def overdue_hotline_tickets(ctx: TodoContext) -> list[TodoEntry]:
    """Hotline tickets past their deadline at the places of the officer's stores."""
    places = sorted({(s.county, s.township) for s in ctx.stores}, key=str)
    if not places:
        return []
    found = await overdue_tickets(ctx.uow, ctx.officer.area, now=ctx.now, places=places)
    return [TodoEntry("ticket_overdue", None, texts.TODO_TICKET_OVERDUE.format(
        number=esc(t.number), category=esc(t.category), what=esc(mask_phones(t.what)[:60]),
        place=esc(t.place.label() or CITY_NAME),
        hours=max(1, round((ctx.now - t.deadline_at) / 3600)))) for t in found]


async def registry_calls(ctx: TodoContext) -> list[TodoEntry]:
    """Registry suppliers of the officer's area to call (they have no Telegram), with the
    need to ask about; whether or not the officer has stores."""
    return [TodoEntry("registry_call", None, text, need_id)
            for text, need_id in await pending_calls(ctx.uow, ctx.officer)]


# Where an officer's to-do entries come from, in the order they are shown.
TODO_SOURCES: list[TodoSource] = [not_reported, urgent_items, open_needs,
                                  overdue_hotline_tickets, registry_calls]


async def officer_todo(uow: UnitOfWork, officer: User, day: date, now: float,
                       sources: Sequence[TodoSource] | None = None) -> Todo:
    """The officer's to-do list for ``day``: every source's entries for their stores."""
    stores = await uow.survey.stores_of_officer(officer.telegram_id)
    todo = Todo(officer, stores, day)
    ctx = TodoContext(uow, officer, stores, day, now)
    for source in TODO_SOURCES if sources is None else sources:
        todo.entries.extend(await source(ctx))
    return todo


def render_todo(todo: Todo) -> str:
    """The list as one message."""
    if not todo.stores and not todo.entries:
        return texts.TODO_NO_STORES
    head = texts.TODO_HEAD.format(day=todo.day.isoformat(), stores=len(todo.stores),
                                  reported=len(todo.stores) - len(todo.of_kind("not_reported")))
    if not todo.entries:
        return f"{head}\n{texts.TODO_NOTHING}"
    return "\n".join([head, *(f"• {e.text}" for e in todo.entries)])


async def enqueue_officer_mornings(uow: UnitOfWork, day: date, now: float) -> int:
    """Each officer's morning message: yesterday's to-do as it stands, once a day."""
    rows = []
    for officer_id in await uow.survey.officers():
        officer = await uow.users.get(officer_id)
        if officer is None or officer.status != "active":
            continue
        todo = await officer_todo(uow, officer, day - timedelta(days=1), now)
        text = texts.OFFICER_MORNING.format(body=render_todo(todo))
        rows.append(outgoing(f"{day.isoformat()}|{officer_id}|survey_morning", officer_id,
                             "survey_morning", Message(text)))
    return await uow.outbox.enqueue(rows)


async def enqueue_deadline(uow: UnitOfWork, day: date) -> int:
    """When reports are due: each store that has not reported ``day`` reminds its
    managers; a store that missed the day before too copies its officer (a second miss);
    and every county-level unit's area alerts. Each once (the outbox keys)."""
    stores = await uow.survey.stores_in(Area.of(None, None))
    reported = await uow.survey.reported_stores(day)
    missing = [s for s in stores if s.id not in reported]
    yesterday = await uow.survey.reported_stores(day - timedelta(days=1))
    managers = await uow.survey.managers_of([s.id for s in missing])
    officers = await uow.survey.officers_of([s.id for s in missing])
    iso = day.isoformat()
    rows: list[OutgoingMessage] = []
    for store in missing:
        remind = Message(texts.REMINDER.format(store=esc(store.label)))
        rows += [outgoing(f"survey-remind:{iso}:{store.id}:{m}", m, "survey_reminder", remind)
                 for m in managers.get(store.id, [])]
        officer = officers.get(store.id)
        if officer is not None and store.id not in yesterday:
            rows.append(outgoing(f"survey-missed:{iso}:{store.id}:{officer}", officer,
                                 "survey_reminder", Message(texts.SECOND_MISS.format(
                                     store=esc(store.label),
                                     managers=len(managers.get(store.id, []))))))
    for county in sorted({s.county for s in stores}):
        rows += await area_alerts(uow, county, day)
    return await uow.outbox.enqueue(rows)
