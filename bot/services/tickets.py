"""Use cases of the supply hotline's tickets: file, act on (the closed loop), remind and
escalate on the deadline, turn a 缺货 ticket into a need on the market, list.

Each takes the caller's unit of work and never commits. Every change is audited
(``ticket.<action>``) and its notices go through the outbox in the same transaction,
keyed by the ticket's change number, so each is sent once across workers and restarts.
The rules themselves (who may do what, in which state, deadlines, routing) are
:mod:`bot.matching.tickets`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from zoneinfo import ZoneInfo

from bot.matching import tickets as rules
from bot.matching.area import Area
from bot.matching.clock import local_today
from bot.matching.drafts import listing_from_draft
from bot.matching.model import Place
from bot.matching.parser import parse_post
from bot.matching.phones import mask_phones
from bot.services import actions
from bot.services.listings import Published, publish_listing
from bot.services.match_index import ListingIndex
from bot.services.messages import Button, Message, Rows, grid, outgoing
from bot.services.ticket_needs import tell_filers_of_matches
from bot.services.ticket_prices import monitored_prices
from bot.texts import tickets as texts
from storage.interfaces import UnitOfWork
from storage.outbox import OutgoingMessage
from storage.records import Ticket, User

KIND = "ticket"
MAX_WHAT = 300
# Who files a ticket through the bot: citizens, stores and suppliers, hotline operators
# (officials work on tickets; they do not file them).
FILER_ROLES = ("citizen", "hotline", "grower", "buyer", "admin")


class TicketRefused(ValueError):
    """An act on a ticket that is not done; ``code`` is a key of ``texts.REFUSALS``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def text(self) -> str:
        return texts.REFUSALS.get(self.code, texts.REFUSALS["not_allowed"])


def facts(ticket: Ticket) -> rules.TicketFacts:
    return rules.TicketFacts(ticket.state, ticket.owner_area, ticket.owner_id,  # type: ignore[arg-type]
                             ticket.filer_id)


def actor(user: User) -> rules.Actor:
    return rules.Actor(user.telegram_id, user.role, user.area)


def may_see_phone(viewer: User | None, ticket: Ticket) -> bool:
    """Only the ticket's owner and the officials of its area (``None``: the operator's
    command line, which sees everything)."""
    return viewer is None or (viewer.status == "active"
                              and rules.may_see_phone(actor(viewer), facts(ticket)))


def render(ticket: Ticket, viewer: User | None, tz: ZoneInfo, now: float, *,
           monitored: str | None = None) -> str:
    """The ticket's card for ``viewer``: the caller's phone only if they may see it;
    ``monitored``: a price ticket's line on the day's monitored prices."""
    phone = ticket.caller_phone if may_see_phone(viewer, ticket) else None
    return texts.card(
        ticket.number, ticket.state, ticket.category, ticket.ticket_class, ticket.what,
        ticket.place.label() or "平顶山市", ticket.owner_area.label,
        texts.when(ticket.deadline_at, tz), caller_name=ticket.caller_name,
        caller_phone=phone, answer=ticket.answer, close_reason=ticket.close_reason,
        rating=ticket.rating, need_id=ticket.need_id,
        overdue=rules.is_overdue(ticket.state, ticket.deadline_at, now), monitored=monitored,
    )


def buttons_for(ticket: Ticket, viewer: User) -> Rows:
    """What ``viewer`` may do next with the ticket (nothing they may not)."""
    who, what = actor(viewer), facts(ticket)
    found: list[Button] = []
    if ticket.state == "办结" and rules.move(what, who, "rate", "满意").state:
        return grid([Button(texts.RATE.format(rating=r), actions.ticket("rate", ticket.id, i))
                     for i, r in enumerate(rules.RATINGS)], 2)
    if not rules.may_handle(who, what):
        return ()
    for action, label in (("take", texts.TAKE), ("start", texts.START),
                          ("answer", texts.ANSWER)):
        if rules.move(what, who, action).state:
            found.append(Button(label, actions.ticket(action, ticket.id)))
    if (ticket.category == "缺货" and ticket.need_id is None
            and ticket.state in (*rules.OPEN_STATES, "已答复")):
        found.append(Button(texts.TO_NEED, actions.ticket("need", ticket.id)))
    for i, reason in enumerate(rules.CLOSE_REASONS):
        if rules.move(what, who, "close", reason).state:
            found.append(Button(texts.CLOSE.format(reason=reason),
                                actions.ticket("close", ticket.id, i)))
    return grid(found, 2)


async def file_ticket(
    uow: UnitOfWork, *, filer: User | None, category: str, what: str, place: Place,
    tz: ZoneInfo, now: float, ticket_class: str | None = None, caller_name: str = "",
    caller_phone: str | None = None,
) -> Ticket:
    """Receive a ticket (受理): number it, route it to the lowest staffed level of its place,
    set its deadline by class, and tell the officials who own it."""
    if category not in rules.CATEGORIES:
        raise ValueError(f"unknown ticket category {category!r}")
    if ticket_class is not None and ticket_class not in rules.CLASSES:
        raise ValueError(f"unknown ticket class {ticket_class!r}")
    policy = rules.get_ticket_policy()
    day = local_today(tz, now)
    serial = await uow.tickets.next_serial(day.isoformat())
    covering = await uow.users.officials_covering(place.county, place.township)
    owner = rules.route(place, {o.area for o in covering})
    chosen = ticket_class or policy.class_of(category, what)
    area = rules.place_area(place)
    ticket = await uow.tickets.add(
        number=rules.ticket_number(day, serial), category=category, ticket_class=chosen,
        state="受理", what=what, county=area.county, township=area.township,
        filer_id=filer.telegram_id if filer else None, caller_name=caller_name,
        caller_phone=caller_phone, owner_county=owner.county, owner_township=owner.township,
        deadline_at=policy.deadline(chosen, now), created_at=now, updated_at=now,
    )
    await uow.audit.write(filer.telegram_id if filer else None, "ticket.filed",
                          f"ticket:{ticket.number}", category=category, ticket_class=chosen,
                          owner_area=owner.label, by=filer.role if filer else "cli")
    officials = [o for o in covering if o.area == owner]
    monitored = await monitored_prices(uow, ticket, day)
    await uow.outbox.enqueue([
        outgoing(f"ticket:{ticket.id}:new:{o.telegram_id}", o.telegram_id, KIND,
                 Message(texts.new_for_officials(render(ticket, o, tz, now,
                                                        monitored=monitored)),
                         buttons_for(ticket, o)))
        for o in officials
    ])
    return ticket


async def act(
    uow: UnitOfWork, ticket_id: int, who: User, action: str, value: str = "", *,
    now: float, tz: ZoneInfo, answer: str | None = None,
) -> Ticket:
    """One step of the loop by ``who``; TicketRefused (with a code) when it may not be made.

    ``value`` is the close reason or the rating; ``answer`` the text of 已答复. The filer
    is told of the change; a ticket reopened by 不满意 gets a new deadline and its owner
    is told.
    """
    ticket = await uow.tickets.get(ticket_id)
    if ticket is None:
        raise TicketRefused("gone")
    if who.status != "active":
        raise TicketRefused("not_allowed")
    step = rules.move(facts(ticket), actor(who), action, value)
    if step.state is None:
        raise TicketRefused(step.refusal or "not_allowed")
    changes: dict[str, object] = {"state": step.state}
    policy = rules.get_ticket_policy()
    if action == "take":
        changes["owner_id"] = who.telegram_id
    elif action == "answer":
        changes["answer"] = (answer or "").strip()[:MAX_WHAT]
    elif action == "close":
        changes["close_reason"] = value
    elif action == "rate":
        changes["rating"] = value
        if step.state == "办理中":  # 不满意: reopened, with a new deadline
            changes.update(deadline_at=policy.deadline(ticket.ticket_class, now),
                           escalations=0, reminded_for=None, close_reason=None)
    changed = await uow.tickets.change(ticket, now, **changes)
    if changed is None:
        raise TicketRefused("changed")
    await uow.audit.write(who.telegram_id, f"ticket.{action}", f"ticket:{ticket.number}",
                          before=ticket.state, after=changed.state, value=value or None)
    rows: list[OutgoingMessage] = []
    filer = await uow.users.get(changed.filer_id) if changed.filer_id else None
    if filer is not None and filer.status == "active" and filer.telegram_id != who.telegram_id:
        text = texts.changed_for_filer(changed.number, changed.state, answer=changed.answer,
                                       close_reason=changed.close_reason, rating=changed.rating)
        rows.append(outgoing(f"ticket:{changed.id}:{changed.changes}:filer", filer.telegram_id,
                             KIND, Message(text, buttons_for(changed, filer))))
    if action == "rate" and changed.state == "办理中":
        deadline = texts.when(changed.deadline_at, tz)
        for owner in await _owners(uow, changed):
            rows.append(outgoing(
                f"ticket:{changed.id}:{changed.changes}:reopened:{owner.telegram_id}",
                owner.telegram_id, KIND,
                Message(texts.reopened_for_owner(changed.number, deadline) + "\n\n"
                        + render(changed, owner, tz, now), buttons_for(changed, owner))))
    await uow.outbox.enqueue(rows)
    return changed


async def _owners(uow: UnitOfWork, ticket: Ticket) -> list[User]:
    """Who answers for the ticket now: its owner if it has one and still covers it, else
    the active officials of its owner area."""
    if ticket.owner_id is not None:
        owner = await uow.users.get(ticket.owner_id)
        if owner is not None and owner.status == "active" and owner.role == "official":
            return [owner]
    return await _officials_of(uow, ticket.owner_area)


async def _officials_of(uow: UnitOfWork, area: Area) -> list[User]:
    covering = await uow.users.officials_covering(area.county, area.township)
    return [o for o in covering if o.area == area]


async def check_deadlines(uow: UnitOfWork, *, now: float, tz: ZoneInfo) -> int:
    """Remind owners of tickets due soon and escalate those past their deadline one staffed
    level up (and one more each further class period); outbox rows added.

    Each reminder and each escalation is recorded on the ticket by a conditional update,
    so however many workers run this at once, and after any restart, each happens once.
    """
    policy = rules.get_ticket_policy()
    staffed = {o.area for o in await uow.users.active_officials()}
    rows: list[OutgoingMessage] = []
    # Only tickets due within the longest reminder lead can need anything (an escalation
    # comes at or after the deadline): the index on (state, deadline) finds them.
    due_soon = await uow.tickets.search(states=rules.OPEN_STATES,
                                        overdue_at=now + policy.longest_lead)
    for ticket in due_soon:
        deadline = ticket.deadline_at
        due = policy.escalation_due(ticket.ticket_class, deadline, ticket.escalations)
        if now >= due:
            target = rules.escalate(ticket.owner_area, staffed)
            if target is None:
                continue
            below = ticket.owner_area.label
            changed = await uow.tickets.change(
                ticket, now, owner_county=target.county, owner_township=target.township,
                escalations=ticket.escalations + 1)
            if changed is None:
                continue
            await uow.audit.write(None, "ticket.escalated", f"ticket:{ticket.number}",
                                  before=below, after=target.label,
                                  escalations=changed.escalations)
            for official in await _officials_of(uow, target):
                rows.append(outgoing(
                    f"ticket:{ticket.id}:escalated:{changed.escalations}:{official.telegram_id}",
                    official.telegram_id, KIND,
                    Message(texts.escalated(render(changed, official, tz, now), below),
                            buttons_for(changed, official))))
        elif (policy.remind_at(ticket.ticket_class, deadline) <= now < deadline
              and ticket.reminded_for != deadline):
            if not await uow.tickets.mark_reminded(ticket.id, deadline):
                continue
            await uow.audit.write(None, "ticket.reminded", f"ticket:{ticket.number}")
            when = texts.when(deadline, tz)
            for owner in await _owners(uow, ticket):
                rows.append(outgoing(
                    f"ticket:{ticket.id}:remind:{deadline}:{owner.telegram_id}",
                    owner.telegram_id, KIND,
                    Message(texts.reminder(render(ticket, owner, tz, now), when),
                            buttons_for(ticket, owner))))
    return await uow.outbox.enqueue(rows)


@dataclass(frozen=True, slots=True)
class NeedMade:
    ticket: Ticket
    published: Published


async def to_need(
    uow: UnitOfWork, index: ListingIndex, ticket_id: int, who: User, *, today: date,
    tz: ZoneInfo, now: float,
) -> NeedMade:
    """A 缺货 ticket becomes a need on the market, posted by the official who handles it
    (through the one way listings are published), at the ticket's place. The ticket keeps
    the need's id (and the need is found back through it); the filer is told now and
    again when a supplier matches."""
    ticket = await uow.tickets.get(ticket_id)
    if ticket is None:
        raise TicketRefused("gone")
    if who.status != "active" or not rules.may_handle(actor(who), facts(ticket)):
        raise TicketRefused("not_allowed")
    if ticket.category != "缺货":
        raise TicketRefused("not_shortage")
    if ticket.need_id is not None:
        raise TicketRefused("has_need")
    if ticket.state not in (*rules.OPEN_STATES, "已答复"):
        raise TicketRefused("closed")
    draft = parse_post(ticket.what, today, "buyer")
    if draft.product is None:
        raise TicketRefused("no_product")
    draft = replace(draft, kind="need", place=ticket.place, errors=[], field_errors={},
                    standing=draft.standing or draft.quantity is None, not_listing=None)
    made = listing_from_draft(draft, 0, now, today=today, tz=tz, kind="need")
    if isinstance(made, str):
        raise TicketRefused("no_product")
    made.user_id = who.telegram_id
    made.raw_text = f"{ticket.number} {ticket.what}"
    published = await publish_listing(uow, index, made, today=today, now=now,
                                      publish_key=f"ticket:{ticket.id}")
    changed = await uow.tickets.change(ticket, now, need_id=published.listing.id)
    if changed is None:
        raise TicketRefused("changed")
    await uow.audit.write(who.telegram_id, "ticket.need", f"ticket:{ticket.number}",
                          need_id=published.listing.id)
    filer = await uow.users.get(changed.filer_id) if changed.filer_id else None
    if filer is not None and filer.status == "active":
        await uow.outbox.enqueue([outgoing(
            f"ticket:{changed.id}:need", filer.telegram_id, KIND,
            Message(texts.need_published_for_filer(changed.number, published.listing.product)))])
    if published.matches:
        await tell_filers_of_matches(uow, [published.listing.id])
    return NeedMade(changed, published)


async def overdue_tickets(
    uow: UnitOfWork, area: Area, *, now: float,
    places: Sequence[tuple[str, str | None]] = (),
) -> list[Ticket]:
    """Tickets still open past their deadline whose place is in ``area`` (and, when given,
    at one of ``places``: (county, township), a township None for the whole county),
    oldest first: what an officer's to-do and a digest list."""
    return await uow.tickets.search(states=rules.OPEN_STATES, area=area, overdue_at=now,
                                    places=places)


def overdue_text(found: Sequence[Ticket], now: float) -> str:
    """The digest's part on overdue tickets (no phone numbers, not even one typed into the
    text: a digest is forwarded)."""
    lines = [texts.overdue_title(len(found))]
    lines += [texts.overdue_line(t.number, t.category, t.place.label() or "平顶山市",
                                 mask_phones(t.what),
                                 t.owner_area.label, (now - t.deadline_at) / 3600)
              for t in found]
    return "\n".join(lines)


async def tickets_for(uow: UnitOfWork, user: User, *, now: float) -> list[Ticket]:
    """What /tickets lists: an official's open tickets of their area (overdue first), an
    admin's of the city, anyone else's own."""
    if user.role in ("official", "admin"):
        found = await uow.tickets.search(states=(*rules.OPEN_STATES, "已答复"))
        mine = [t for t in found if rules.may_handle(actor(user), facts(t))]
        return sorted(mine, key=lambda t: (t.deadline_at > now, t.deadline_at))
    return await uow.tickets.search(filer_id=user.telegram_id)
