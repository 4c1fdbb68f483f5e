"""Use cases of the officials' digest: build one, fill the outbox for every official, and
list what is short right now (/short).

A digest is read in one snapshot (a read unit of work, so no writer waits while a
city's digest is built); the CPU work — computing it, rendering, the workbook and
the chart — runs in a worker thread so the bot keeps answering meanwhile. The
morning run builds each area's digest, then enqueues it for the area's officials
in a unit of work of its own: one area that fails never stops another.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from zoneinfo import ZoneInfo

from bot.matching.area import Area
from bot.matching.clock import DayWindow
from bot.services.deliveries import DELIVERY_LATE_HOURS
from bot.services.digest_model import (
    Digest,
    OpenCounts,
    OpenItem,
    Totals,
    build_digest,
    deal_figures,
    exchanged_by,
    open_item,
    organisation_of,
)
from bot.services.digest_text import MAX_SHORTAGES, digest_messages
from bot.services.messages import Attachment, Message, outgoing
from bot.services.registry_requests import registry_lines
from bot.services.survey import survey_section
from bot.services.tickets import overdue_text, overdue_tickets
from bot.texts import officials as texts
from storage.database import Database
from storage.interfaces import UnitOfWork
from storage.outbox import OutgoingMessage
from storage.records import Listing, User

log = logging.getLogger(__name__)

DIGEST_KIND = "digest"
DIGEST_FAILED_KIND = "digest-failed"


@dataclass(frozen=True, slots=True)
class DigestBundle:
    """A digest ready to send: its messages and both attachments."""

    digest: Digest
    messages: list[str]
    workbook: bytes
    chart: bytes

    @property
    def file_stem(self) -> str:
        return f"购销日报_{self.digest.area.label}_{self.digest.day.isoformat()}"


async def load_digest(
    uow: UnitOfWork, area: Area, day: date, tz: ZoneInfo, *, now: float | None = None
) -> Digest:
    """The digest of ``area`` for ``day``, as of the day's end (or now, for today), with
    the needs still unmatched now whatever the day."""
    window = DayWindow.of(day, tz)
    previous = window.previous(tz)
    now = time.time() if now is None else now
    as_of = min(now, window.end)
    reports = uow.reports
    day_listings = await uow.listings.in_period(window.start, window.end, area)
    before = await reports.totals(previous.start, previous.end, area)
    day_matches = await uow.matches.in_period(window.start, window.end, area)
    previous_matches = await uow.matches.in_period(previous.start, previous.end, area)
    by_id = {x.id: x for x in day_listings}
    wanted = {i for m in day_matches for i in (m.need_id, m.offer_id)} - by_id.keys()
    match_listings: dict[int, Listing] = {**by_id, **await uow.listings.get_many(sorted(wanted))}
    # Most open listings were posted that day and are loaded already: fetch only the others.
    need_ids = await reports.unmatched_ids(as_of, kind="need", area=area)
    offer_ids = await reports.unmatched_ids(as_of, kind="offer", area=area)
    open_then = await reports.open_counts_at(as_of, area)
    # For today the digest is taken now: the shortages are those of now already.
    now_ids, open_now = need_ids, open_then
    if as_of < now:
        now_ids = await reports.unmatched_ids(now, kind="need", area=area)
        open_now = await reports.open_counts_at(now, area)
    older = await uow.listings.get_many(
        sorted({i for i in (*need_ids, *offer_ids, *now_ids) if i not in match_listings}))
    known = {**match_listings, **older}
    people = await uow.users.by_ids([x.user_id for x in known.values()])
    # 成交: the matches answered 成交了 by as_of, and the exchanges they are a share of.
    done = await uow.deals.done_before(as_of, area)
    known.update(await uow.listings.get_many(sorted(
        {i for m, _ in done for i in (m.need_id, m.offer_id)} - known.keys())))
    deals = deal_figures(done, known, await uow.deals.exchanges_before(as_of, area),
                         window.start)
    survey = await survey_section(uow, area, day)
    digest = await asyncio.to_thread(
        build_digest, area=area, window=window, as_of=as_of, listings=day_listings,
        previous=Totals(
            before.offers, before.needs, before.offer_kg, before.need_kg,
            matches=len(previous_matches),
            contacts=sum(exchanged_by(m, as_of) for m in previous_matches),
            offer_volume=before.offer_volume, need_volume=before.need_volume,
        ),
        matches=day_matches, match_listings=match_listings,
        unmatched_needs=[known[i] for i in need_ids],
        unmatched_offers=[known[i] for i in offer_ids],
        open_then=OpenCounts(needs=open_then["need"], offers=open_then["offer"]),
        now=now, unmatched_needs_now=[known[i] for i in now_ids],
        open_needs_now=open_now["need"], users=people, deals=deals,
    )
    await with_registry(uow, [*digest.open_now[:MAX_SHORTAGES], *digest.shortages[:MAX_SHORTAGES]])
    return dataclasses.replace(digest, survey=survey) if survey is not None else digest


async def with_registry(uow: UnitOfWork, items: Sequence[OpenItem]) -> None:
    """Say under each need shown whom the supplier registry asked and what they said."""
    asked = await registry_lines(uow, [x.listing_id for x in items if x.kind == "need"])
    for item in items:
        item.registry = asked.get(item.listing_id, "")


@dataclass(frozen=True, slots=True)
class ShortNow:
    """What /short shows: an area's needs unmatched at ``now``, the oldest ``needs`` of
    ``unmatched`` of them, and how many needs were open then in all."""

    area: Area
    now: float
    needs: list[OpenItem]
    unmatched: int
    open_needs: int


async def load_short(
    uow: UnitOfWork, area: Area, *, now: float | None = None, shown: int = MAX_SHORTAGES
) -> ShortNow:
    """The needs of ``area`` unmatched right now, oldest first (only ``shown`` are loaded)."""
    now = time.time() if now is None else now
    ids = await uow.reports.unmatched_ids(now, kind="need", area=area)
    open_now = await uow.reports.open_counts_at(now, area)
    found = await uow.listings.get_many(ids[:shown])
    people = await uow.users.by_ids([x.user_id for x in found.values()])
    organisations = {uid: organisation_of(u) for uid, u in people.items()}
    needs = [open_item(found[i], now, organisations) for i in ids[:shown] if i in found]
    await with_registry(uow, needs)
    return ShortNow(area, now, needs, len(ids), open_now["need"])


def bundle(digest: Digest, tz: ZoneInfo) -> DigestBundle:
    """Render text, workbook and chart (CPU-bound: call through ``asyncio.to_thread``)."""
    # matplotlib and openpyxl take most of a second to import: only when a digest is made.
    from bot.services.digest_files import digest_chart, digest_workbook

    return DigestBundle(
        digest, digest_messages(digest, tz), digest_workbook(digest, tz), digest_chart(digest)
    )


async def load_bundle(
    uow: UnitOfWork, area: Area, day: date, tz: ZoneInfo, *, now: float | None = None,
    delivery_late_hours: float = DELIVERY_LATE_HOURS,
) -> DigestBundle:
    digest = await load_digest(uow, area, day, tz, now=now)
    found = await asyncio.to_thread(bundle, digest, tz)
    # Hotline tickets of the area still open past their deadline, in every digest of it.
    at = time.time() if now is None else now
    overdue = await overdue_tickets(uow, area, now=at)
    if overdue:
        found = replace(found, messages=[*found.messages, overdue_text(overdue, at)])
    # Delivery tasks into the area's sealed areas: open, late, totals per area.
    from bot.services.delivery_report import delivery_report, digest_section

    sealed = digest_section(await delivery_report(
        uow, day, tz, late_hours=delivery_late_hours, now=at, region=area))
    if sealed:
        found = replace(found, messages=[*found.messages, sealed])
    return found


def digest_key(day: date, chat_id: int, part: str = "") -> str:
    """The outbox key of one part of a day's digest to one official: day|recipient|kind."""
    return f"{day.isoformat()}|{chat_id}|{DIGEST_KIND}" + (f"|{part}" if part else "")


def digest_outbox_group(chat_id: int, found: DigestBundle) -> list[OutgoingMessage]:
    """The rows of one official's digest: text parts in order, then workbook and chart."""
    day = found.digest.day
    rows = [
        outgoing(digest_key(day, chat_id, str(i) if i else ""), chat_id, DIGEST_KIND, message)
        for i, message in enumerate(digest_replies(found))
    ]
    return rows


def digest_replies(found: DigestBundle) -> list[Message]:
    """A digest as messages: the text in parts, then the workbook and the chart."""
    day = found.digest.day
    caption = texts.ATTACHMENT_CAPTION.format(area=found.digest.area.label, day=day.isoformat())
    return [
        *(Message(text) for text in found.messages),
        Message(caption, attachment=Attachment("document", f"{found.file_stem}.xlsx",
                                               found.workbook)),
        Message(caption, attachment=Attachment("photo", f"{found.file_stem}.png", found.chart)),
    ]


async def enqueue_daily_digests(
    db: Database, day: date, tz: ZoneInfo, *, now: float | None = None,
    operators: Sequence[int] = (), delivery_late_hours: float = DELIVERY_LATE_HOURS,
) -> int:
    """Put ``day``'s digest in the outbox for every active official; return rows added.

    Idempotent: an official whose digest of the day is already in the outbox is
    skipped (whatever its state), so re-running after a crash or at start-up adds
    only what is missing. Each area's digest is built once for all its officials, in
    a snapshot of its own, and enqueued in a unit of work of its own. An area whose
    digest cannot be built never stops the others: the failure is logged, each of
    ``operators`` is told once a day per area, and the next run tries that area again.
    """
    async with db.read() as uow:
        officials = await uow.users.active_officials()
    by_area: dict[Area, list[User]] = defaultdict(list)
    for official in officials:
        by_area[official.area].append(official)
    added = 0
    for area, members in by_area.items():
        async with db.read() as uow:
            known = await uow.outbox.known_keys([digest_key(day, o.telegram_id) for o in members])
            waiting = [o for o in members if digest_key(day, o.telegram_id) not in known]
            if not waiting:
                continue
            found: DigestBundle | Exception
            try:
                found = await load_bundle(uow, area, day, tz, now=now,
                                          delivery_late_hours=delivery_late_hours)
            except Exception as error:
                log.exception("the %s digest of %s could not be built; the other areas go on",
                              day, area.label)
                found = error
        async with db.write() as uow:
            if isinstance(found, Exception):
                added += await uow.outbox.enqueue(_failure_notices(day, area, found, operators))
            else:
                added += await uow.outbox.enqueue_groups(
                    [digest_outbox_group(o.telegram_id, found) for o in waiting])
            await uow.commit()
    return added


def _failure_notices(
    day: date, area: Area, error: Exception, operators: Sequence[int]
) -> list[OutgoingMessage]:
    text = texts.DIGEST_FAILED.format(
        area=html.escape(area.label), day=day.isoformat(), error=html.escape(repr(error)[:300])
    )
    return [
        outgoing(f"{day.isoformat()}|{chat_id}|{DIGEST_FAILED_KIND}|{area.label}", chat_id,
                 DIGEST_FAILED_KIND, Message(text))
        for chat_id in operators
    ]
