"""``farmdock digest``: an area's daily digest, offline, as text, JSON or an Excel workbook.

The JSON structure (stable; amounts in kg when ``unit`` is ``"kg"``, times POSIX seconds;
a ``*_volume`` holds the stated quantities by unit, ``{"kg": 2500, "箱": 30}``, so goods
counted in boxes or bags are never added up as kilograms)::

    {"area": {"label", "level": "city"|"county"|"township", "county", "township"},
     "day": "2026-05-09", "as_of": float,
     "totals": {"offers", "needs", "offer_kg", "need_kg", "matches", "contacts",
                "offer_volume": {unit: amount}, "need_volume": {unit: amount}},
     "previous": {... the same for the day before ...},
     "categories": [{"category", "offers", "needs", "offer_volume": {unit: amount},
                     "need_volume": {unit: amount}}],
     "shortages": [{"listing_id", "kind", "product", "quantity", "unit", "place",
                    "organisation", "created_at", "waited_hours"}],      # oldest first
     "surplus": [... the same shape ...],
     "matches": [{"match_id", "product", "need_id", "offer_id", "need_organisation",
                  "need_place", "offer_organisation", "offer_place", "quantity", "unit",
                  "score", "contacts_exchanged", "created_at",
                  "state": "waiting"|"one_side"|"exchanged"}],
     "prices": [{"product", "kind", "unit", "low", "high", "listings"}],  # unit 斤 = per 斤
     "now": float,
     "open_now": [{"listing_id", "product", "quantity", "unit", "place", "organisation",
                   "age_hours"}],                                        # oldest first
     "deals": {"today": {"count", "by_product": {product: {unit: quantity}}},
               "to_date": {... the same, every deal up to as_of ...},
               "exchanges", "deal_rate_pct", "price_vs_listed_pct"}}
     "survey": {"stores_expected", "stores_reported", "items_by_status": {status: n},
                "worst": [...as farmdock stock's stores...], "needs_opened",
                "needs_published", "needs_matched"}}       # only where stores are surveyed

``shortages`` and ``surplus`` are as of ``as_of`` (the day's end, or now for today);
``open_now`` holds the needs unmatched at ``now``, when the digest was made, whatever
the day: for a past day it says what is short right now. ``deals`` counts the matches
answered 成交了 (成交了吗) where either listing lies in the area: ``today`` those whose
first 成交了 was on the day, ``to_date`` all up to ``as_of``, each deal's quantity the
lesser of the two sides' answers (else the one); ``exchanges`` the contact exchanges up
to ``as_of``, ``deal_rate_pct`` deals to date per exchange in per cent, and
``price_vs_listed_pct`` the average price dealt as a percentage of the listed one (100:
at the listed price); both null when there is nothing to divide by.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.cli.db import add_database_arguments, database_target, is_postgresql
from bot.matching.area import Area, AreaError, resolve_area
from bot.matching.clock import local_today
from bot.matching.model import CITY_NAME
from bot.services.digest import load_digest
from bot.services.digest_model import DealPeriod, Digest
from bot.services.digest_text import render_digest, to_plain
from bot.settings import SettingsError, load_settings
from storage.database import Database, SchemaTooNewError

FORMATS = ("text", "json", "xlsx")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "digest", help="print an area's daily digest (text, JSON or an Excel workbook)",
        description="The officials' daily digest of one area, without Telegram.",
    )
    parser.add_argument("--date", help="YYYY-MM-DD (default: today, so far)")
    parser.add_argument(
        "--region", default=CITY_NAME,
        help="平顶山市 (default), a county-level unit (宝丰县) or a township (宝丰县张八桥镇)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--out", help="write to this file (required for xlsx)")
    add_database_arguments(parser)
    parser.set_defaults(func=digest_command)


class UsageError(ValueError):
    """Bad arguments: printed on one line, exit code 2."""


def digest_json(digest: Digest) -> dict[str, Any]:
    """The documented JSON structure of a digest."""
    area = digest.area
    return {
        "area": {"label": area.label, "level": area.level, "county": area.county,
                 "township": area.township},
        "day": digest.day.isoformat(),
        "as_of": digest.as_of,
        "totals": dataclasses.asdict(digest.totals),
        "previous": dataclasses.asdict(digest.previous),
        "categories": [dataclasses.asdict(c) for c in digest.categories],
        "shortages": [dataclasses.asdict(s) for s in digest.shortages],
        "surplus": [dataclasses.asdict(s) for s in digest.surplus],
        "matches": [dataclasses.asdict(m) for m in digest.matches],
        "prices": [dataclasses.asdict(p) for p in digest.prices],
        "now": digest.now,
        "open_now": [
            {"listing_id": x.listing_id, "product": x.product, "quantity": x.quantity,
             "unit": x.unit, "place": x.place, "organisation": x.organisation,
             "age_hours": x.waited_hours}
            for x in digest.open_now
        ],
        "deals": {
            "today": _deal_period(digest.deals.today),
            "to_date": _deal_period(digest.deals.to_date),
            "exchanges": digest.deals.exchanges,
            "deal_rate_pct": digest.deals.deal_rate_pct,
            "price_vs_listed_pct": digest.deals.price_vs_listed_pct,
        },
        # The store survey's part, when the area has surveyed stores (see README).
        **({"survey": digest.survey.to_json()} if digest.survey is not None else {}),
    }


def _deal_period(period: DealPeriod) -> dict[str, Any]:
    return {"count": period.count, "by_product": period.by_product}


def digest_command(args: argparse.Namespace) -> int:
    try:
        area = resolve_area(args.region)
        tz = load_settings(require_token=False).timezone
        day = _day(args.date, tz)
        if args.format == "xlsx" and not args.out:
            raise UsageError("--format xlsx writes a binary file: give --out FILE")
        target = database_target(args)
        if not is_postgresql(target) and not Path(target).is_file():
            raise UsageError(f"no database at {target}: run `farmdock migrate` or give --db")
        digest = asyncio.run(_load(target, area, day, tz))
    except (UsageError, AreaError, SettingsError, SchemaTooNewError) as error:
        print(f"farmdock: {error}", file=sys.stderr)
        return 2
    if args.format == "xlsx":
        from bot.services.digest_files import digest_workbook  # openpyxl only when asked for

        Path(args.out).write_bytes(digest_workbook(digest, tz))
        print(f"{area.label} {day.isoformat()}: {len(digest.listings)} listings written to "
              f"{args.out}")
        return 0
    if args.format == "json":
        output = json.dumps(digest_json(digest), ensure_ascii=False, indent=2)
    else:
        output = to_plain(render_digest(digest, tz))
    if args.out:
        Path(args.out).write_text(output + "\n", encoding="utf-8")
    else:
        print(output)
    return 0


def _day(text: str | None, tz: ZoneInfo) -> date:
    if not text:
        return local_today(tz)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--date {text!r} is not a date: use YYYY-MM-DD") from None


async def _load(target: str, area: Area, day: date, tz: ZoneInfo) -> Digest:
    db = await Database.open(target)
    try:
        async with db.read() as uow:
            return await load_digest(uow, area, day, tz)
    finally:
        await db.close()
