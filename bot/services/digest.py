"""Use cases of the officials' digest: build one, fill the outbox for every official, and
list what is short right now (/short).

Queries run on the event loop (aiosqlite does the I/O in its own thread); the CPU
work — computing the digest, rendering, the workbook and the chart — runs in a
worker thread so the bot keeps answering while the city's digest is built.
"""

from __future__ import annotations

import asyncio
import base64
import html
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.services.digest_model import (
    DayWindow,
    Digest,
    Jurisdiction,
    OpenCounts,
    OpenItem,
    Totals,
    build_digest,
    exchanged_by,
    open_item,
    organisation_of,
)
from bot.services.digest_text import MAX_SHORTAGES, digest_messages
from bot.texts import officials as texts
from storage import listings, matches, outbox, reports
from storage.database import Database
from storage.outbox import OutgoingMessage
from storage.records import StoredListing, User

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


def local_today(tz: ZoneInfo, now: float | None = None) -> date:
    """The calendar date in the platform's time zone (not the machine's)."""
    return datetime.fromtimestamp(time.time() if now is None else now, tz).date()


async def load_digest(
    db: Database, area: Jurisdiction, day: date, tz: ZoneInfo, *, now: float | None = None
) -> Digest:
    """The digest of ``area`` for ``day``, as of the day's end (or now, for today), with
    the needs still unmatched now whatever the day."""
    window = DayWindow.of(day, tz)
    previous = window.previous(tz)
    now = time.time() if now is None else now
    as_of = min(now, window.end)
    county, township = area.county, area.township
    day_listings = await listings.listings_in_period(
        db, window.start, window.end, county=county, township=township
    )
    before = await reports.listing_totals(
        db, previous.start, previous.end, county=county, township=township
    )
    day_matches = await matches.matches_in_period(
        db, window.start, window.end, county=county, township=township
    )
    previous_matches = await matches.matches_in_period(
        db, previous.start, previous.end, county=county, township=township
    )
    by_id = {x.id: x for x in day_listings}
    wanted = {i for m in day_matches for i in (m.need_id, m.offer_id)} - by_id.keys()
    match_listings: dict[int, StoredListing] = {**by_id, **await listings.get_listings(
        db, sorted(wanted))}
    # Most open listings were posted that day and are loaded already: fetch only the others.
    need_ids = await reports.unmatched_ids_at(
        db, as_of, kind="need", county=county, township=township)
    offer_ids = await reports.unmatched_ids_at(
        db, as_of, kind="offer", county=county, township=township)
    open_then = await reports.open_counts_at(db, as_of, county=county, township=township)
    # For today the digest is taken now: the shortages are those of now already.
    now_ids, open_now = need_ids, open_then
    if as_of < now:
        now_ids = await reports.unmatched_ids_at(
            db, now, kind="need", county=county, township=township)
        open_now = await reports.open_counts_at(db, now, county=county, township=township)
    older = await listings.get_listings(
        db, sorted({i for i in (*need_ids, *offer_ids, *now_ids) if i not in match_listings}))
    known = {**match_listings, **older}
    user_ids = [x.user_id for x in known.values()]
    people = await reports.users_by_ids(db, user_ids)
    return await asyncio.to_thread(
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
        open_needs_now=open_now["need"], users=people,
    )


@dataclass(frozen=True, slots=True)
class ShortNow:
    """What /short shows: an area's needs unmatched at ``now``, the oldest ``needs`` of
    ``unmatched`` of them, and how many needs were open then in all."""

    area: Jurisdiction
    now: float
    needs: list[OpenItem]
    unmatched: int
    open_needs: int


async def load_short(
    db: Database, area: Jurisdiction, *, now: float | None = None, shown: int = MAX_SHORTAGES
) -> ShortNow:
    """The needs of ``area`` unmatched right now, oldest first (only ``shown`` are loaded)."""
    now = time.time() if now is None else now
    county, township = area.county, area.township
    ids = await reports.unmatched_ids_at(db, now, kind="need", county=county, township=township)
    open_now = await reports.open_counts_at(db, now, county=county, township=township)
    found = await listings.get_listings(db, ids[:shown])
    people = await reports.users_by_ids(db, [x.user_id for x in found.values()])
    organisations = {uid: organisation_of(u) for uid, u in people.items()}
    return ShortNow(
        area, now, [open_item(found[i], now, organisations) for i in ids[:shown] if i in found],
        len(ids), open_now["need"],
    )


def bundle(digest: Digest, tz: ZoneInfo) -> DigestBundle:
    """Render text, workbook and chart (CPU-bound: call through ``asyncio.to_thread``)."""
    # matplotlib and openpyxl take most of a second to import: only when a digest is made.
    from bot.services.digest_files import digest_chart, digest_workbook

    return DigestBundle(
        digest, digest_messages(digest, tz), digest_workbook(digest, tz), digest_chart(digest)
    )


async def load_bundle(
    db: Database, area: Jurisdiction, day: date, tz: ZoneInfo, *, now: float | None = None
) -> DigestBundle:
    digest = await load_digest(db, area, day, tz, now=now)
    return await asyncio.to_thread(bundle, digest, tz)


def digest_key(day: date, chat_id: int, part: str = "") -> str:
    """The outbox key of one part of a day's digest to one official: day|recipient|kind."""
    return f"{day.isoformat()}|{chat_id}|{DIGEST_KIND}" + (f"|{part}" if part else "")


def digest_outbox_group(chat_id: int, found: DigestBundle) -> list[OutgoingMessage]:
    """The rows of one official's digest: text parts in order, then workbook and chart."""
    day = found.digest.day
    rows = [
        OutgoingMessage(
            digest_key(day, chat_id, str(i) if i else ""), chat_id, DIGEST_KIND,
            {"method": "sendMessage", "text": text, "parse_mode": "HTML"},
        )
        for i, text in enumerate(found.messages)
    ]
    caption = texts.ATTACHMENT_CAPTION.format(area=found.digest.area.label, day=day.isoformat())
    rows.append(OutgoingMessage(digest_key(day, chat_id, "xlsx"), chat_id, DIGEST_KIND, {
        "method": "sendDocument", "caption": caption,
        "document": {"filename": f"{found.file_stem}.xlsx", "data": _b64(found.workbook)},
    }))
    rows.append(OutgoingMessage(digest_key(day, chat_id, "png"), chat_id, DIGEST_KIND, {
        "method": "sendPhoto", "caption": caption,
        "photo": {"filename": f"{found.file_stem}.png", "data": _b64(found.chart)},
    }))
    return rows


def _b64(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


async def enqueue_daily_digests(
    db: Database, day: date, tz: ZoneInfo, *, now: float | None = None,
    operators: Sequence[int] = (),
) -> int:
    """Put ``day``'s digest in the outbox for every active official; return rows added.

    Idempotent: an official whose digest of the day is already in the outbox is
    skipped (whatever its state), so re-running after a crash or at start-up adds
    only what is missing. Each area's digest is built once for all its officials.
    An area whose digest cannot be built never stops the others: the failure is
    logged, each of ``operators`` is told once a day per area, and the next run
    tries that area again.
    """
    by_area: dict[Jurisdiction, list[User]] = defaultdict(list)
    for official in await reports.active_officials(db):
        by_area[Jurisdiction.of(official)].append(official)
    added = 0
    for area, officials in by_area.items():
        known = await outbox.known_keys(db, [digest_key(day, o.telegram_id) for o in officials])
        waiting = [o for o in officials if digest_key(day, o.telegram_id) not in known]
        if not waiting:
            continue
        try:
            found = await load_bundle(db, area, day, tz, now=now)
        except Exception as error:
            log.exception("the %s digest of %s could not be built; the other areas go on",
                          day, area.label)
            added += await outbox.enqueue(db, _failure_notices(day, area, error, operators))
            continue
        added += await outbox.enqueue_groups(
            db, [digest_outbox_group(o.telegram_id, found) for o in waiting]
        )
    return added


def _failure_notices(
    day: date, area: Jurisdiction, error: Exception, operators: Sequence[int]
) -> list[OutgoingMessage]:
    text = texts.DIGEST_FAILED.format(
        area=html.escape(area.label), day=day.isoformat(), error=html.escape(repr(error)[:300])
    )
    return [
        OutgoingMessage(
            f"{day.isoformat()}|{chat_id}|{DIGEST_FAILED_KIND}|{area.label}", chat_id,
            DIGEST_FAILED_KIND, {"method": "sendMessage", "text": text, "parse_mode": "HTML"},
        )
        for chat_id in operators
    ]
