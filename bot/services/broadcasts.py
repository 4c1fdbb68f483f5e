"""Scheduled messages besides the digest: shortage escalations, users' daily match
summaries, and reminders the day before a listing expires.

Each goes through the outbox under a key that names what it is about, so every
one is sent exactly once however often the jobs run; each use case runs in the
caller's unit of work.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.matching.area import CITY, LEVELS
from bot.matching.clock import PLATFORM_TZ, DayWindow
from bot.services import actions
from bot.services.digest_text import amount
from bot.services.messages import Button, Message, outgoing
from bot.services.registry_requests import registry_lines
from bot.texts import listings as listing_texts
from bot.texts import officials as texts
from bot.texts.html import esc
from storage.interfaces import UnitOfWork
from storage.outbox import OutgoingMessage
from storage.records import Listing, User

REMIND_AHEAD = 24 * 3600.0
MAX_SUMMARY_LINES = 20


def escalation_level(waited_hours: float, step_hours: float) -> int:
    """How many levels should know of a need unmatched for ``waited_hours`` (0 to 3)."""
    return min(len(LEVELS), int(waited_hours // step_hours))


async def enqueue_escalations(
    uow: UnitOfWork, step_hours: float, *, now: float | None = None,
    tz: ZoneInfo = PLATFORM_TZ,
) -> int:
    """Flag needs unmatched for ``step_hours`` to their township's officials, after twice
    that to their county's, after three times to the city's; each once. Rows added.

    A need an official marked 已协调 climbs one step later (the levels above were told of
    it when it was pressed), and the messages that follow say who coordinated and when.
    Each message names the poster, their organisation and their phone; a poster who was
    never told that officials may see it is told now, and it is shown from the next
    message on.
    """
    now = time.time() if now is None else now
    waiting = await uow.reports.unmatched(
        now, kind="need", area=CITY, created_before=now - step_hours * 3600
    )
    people = await uow.users.by_ids([n.user_id for n in waiting])
    coordinated = await uow.coordination.of_listings([n.id for n in waiting])
    told = await uow.coordination.told([n.user_id for n in waiting])
    registry = await registry_lines(uow, [n.id for n in waiting])
    rows: list[OutgoingMessage] = []
    for need in waiting:
        waited = (now - need.created_at) / 3600
        acks = coordinated.get(need.id, [])
        levels = escalation_level(waited - (step_hours if acks else 0.0), step_hours)
        officials = await uow.users.officials_covering(need.place.county, need.place.township)
        targets = [o for level in LEVELS[:levels] for o in officials if o.area.level == level]
        if not targets:
            continue
        owner = people.get(need.user_id)
        shown = owner is not None and owner.phone is not None and told.get(owner.telegram_id,
                                                                            now) < now
        if owner is not None and owner.phone is not None and owner.telegram_id not in told:
            await uow.coordination.mark_told(owner.telegram_id, now)
            told[owner.telegram_id] = now
            rows.append(outgoing(f"phone-notice:{owner.telegram_id}", owner.telegram_id,
                                 "phone_notice", Message(texts.PHONE_NOTICE.format(
                                     product=esc(need.product)))))
        who = await uow.users.by_ids([a.official_id for a in acks])
        message = Message(
            _escalation_text(need, owner, waited, shown,
                             [(who.get(a.official_id), a.at) for a in acks], tz)
            + registry.get(need.id, ""),
            ((Button(texts.CANDIDATES, actions.escalation("cand", need.id)),
              Button(texts.COORDINATED, actions.escalation("ack", need.id))),))
        rows += [outgoing(f"escalate:{need.id}:{o.area.level}:{o.telegram_id}", o.telegram_id,
                          "escalation", message) for o in targets]
    return await uow.outbox.enqueue(rows)


def _escalation_text(need: Listing, owner: User | None, waited_hours: float, phone_shown: bool,
                     acks: list[tuple[User | None, float]], tz: ZoneInfo) -> str:
    lines = [texts.ESCALATION.format(
        product=esc(need.product), amount=amount(need.quantity, need.unit),
        place=esc(need.place.label() or texts.NO_PLACE),
        organisation=esc(owner.organisation or owner.name if owner else ""),
        hours=int(waited_hours),
    )]
    if owner is not None:
        phone = (esc(owner.phone) if phone_shown and owner.phone else
                 texts.ESCALATION_PHONE_PENDING if owner.phone else texts.ESCALATION_NO_PHONE)
        lines.append(texts.ESCALATION_POSTER.format(
            name=esc(owner.name), organisation=esc(owner.organisation or "—"), phone=phone))
    for official, at in acks:
        lines.append(texts.ESCALATION_COORDINATED.format(
            who=esc(official.display_name if official else "—"),
            when=f"{datetime.fromtimestamp(at, tz):%m-%d %H:%M}"))
    return "\n".join(lines)


async def enqueue_match_summaries(uow: UnitOfWork, day: date, tz: ZoneInfo) -> int:
    """Tell each grower and buyer what matches ``day`` brought their open listings. Rows added."""
    window = DayWindow.of(day, tz)
    found = await uow.matches.in_period(window.start, window.end, CITY)
    ids = sorted({i for m in found for i in (m.need_id, m.offer_id)})
    by_id = await uow.listings.get_many(ids)
    per_user: dict[int, list[tuple[Listing, Listing]]] = defaultdict(list)
    for m in found:
        need, offer = by_id.get(m.need_id), by_id.get(m.offer_id)
        if need is None or offer is None:
            continue
        for own, other in ((need, offer), (offer, need)):
            if own.status == "open":
                per_user[own.user_id].append((own, other))
    recipients = await uow.users.by_ids(list(per_user))
    rows = [
        outgoing(f"{day.isoformat()}|{uid}|match_summary", uid, "match_summary",
                 Message(_summary_text(day, pairs)))
        for uid, pairs in per_user.items()
        if uid in recipients and recipients[uid].status == "active"
    ]
    return await uow.outbox.enqueue(rows)


def _summary_text(day: date, pairs: list[tuple[Listing, Listing]]) -> str:
    lines = [texts.SUMMARY_TITLE.format(month=day.month, day=day.day, count=len(pairs))]
    for own, other in pairs[:MAX_SUMMARY_LINES]:
        lines.append(texts.SUMMARY_LINE.format(
            own=esc(own.product), other_kind=listing_texts.KIND_LABELS[other.kind],
            amount=amount(other.quantity, other.unit),
            place=esc(other.place.label() or texts.NO_PLACE),
        ))
    if len(pairs) > MAX_SUMMARY_LINES:
        lines.append(texts.SUMMARY_MORE.format(count=len(pairs) - MAX_SUMMARY_LINES))
    lines.append(texts.SUMMARY_FOOTER)
    return "\n".join(lines)


async def enqueue_expiry_reminders(
    uow: UnitOfWork, tz: ZoneInfo, *, now: float | None = None
) -> int:
    """Remind owners of listings that expire within a day, with a 续期 button. Rows added."""
    now = time.time() if now is None else now
    due = await uow.reports.expiring_between(now, now + REMIND_AHEAD)
    owners = await uow.users.by_ids([x.user_id for x in due])
    renew = texts.RENEW_BUTTON
    rows = [
        outgoing(f"expiry:{x.id}:{x.valid_until or x.expires_at}", x.user_id, "expiry_reminder",
                 Message(_expiry_text(x, tz),
                         ((Button(renew, actions.listing("renew", x.id)),),)))
        for x in due
        if x.user_id in owners and owners[x.user_id].status == "active"
    ]
    return await uow.outbox.enqueue(rows)


def _expiry_text(listing: Listing, tz: ZoneInfo) -> str:
    """The listing as its owner wrote it (200 斤, not 100 公斤) and its last day as 5月11日."""
    last_day = listing.valid_until
    if last_day is None:
        # Reminders are only for listings with an end: midnight after their last day.
        assert listing.expires_at is not None
        last_day = datetime.fromtimestamp(listing.expires_at - 1, tz).date()
    return texts.EXPIRY_REMINDER.format(
        product=esc(listing.product),
        amount=listing_texts.quantity(
            listing.quantity, listing.unit, listing.quantity_as_written, listing.unit_as_written
        ),
        kind=listing_texts.KIND_LABELS[listing.kind],
        until=texts.DAY_OF_MONTH.format(month=last_day.month, day=last_day.day),
    )
