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
from bot.matching.clock import DayWindow
from bot.services import actions
from bot.services.digest_text import amount
from bot.services.messages import Button, Message, outgoing
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
    uow: UnitOfWork, step_hours: float, *, now: float | None = None
) -> int:
    """Flag needs unmatched for ``step_hours`` to their township's officials, after twice
    that to their county's, after three times to the city's; each once. Rows added."""
    now = time.time() if now is None else now
    waiting = await uow.reports.unmatched(
        now, kind="need", area=CITY, created_before=now - step_hours * 3600
    )
    people = await uow.users.by_ids([n.user_id for n in waiting])
    rows: list[OutgoingMessage] = []
    for need in waiting:
        waited = (now - need.created_at) / 3600
        officials = await uow.users.officials_covering(need.place.county, need.place.township)
        for level in LEVELS[: escalation_level(waited, step_hours)]:
            for official in officials:
                if official.area.level != level:
                    continue
                rows.append(outgoing(
                    f"escalate:{need.id}:{level}:{official.telegram_id}",
                    official.telegram_id, "escalation",
                    Message(_escalation_text(need, people.get(need.user_id), waited)),
                ))
    return await uow.outbox.enqueue(rows)


def _escalation_text(need: Listing, owner: User | None, waited_hours: float) -> str:
    return texts.ESCALATION.format(
        product=esc(need.product), amount=amount(need.quantity, need.unit),
        place=esc(need.place.label() or texts.NO_PLACE),
        organisation=esc(owner.organisation or owner.name if owner else ""),
        hours=int(waited_hours),
    )


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
