"""``farmdock match``: listings in, each need's best offers out, as JSON lines for scripts."""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path
from typing import Any

# Only the plain types at import time: every farmdock command loads this module to
# register, so the parser and the engine are imported where they are used.
from bot.matching.model import Kind, Listing, ListingDraft, Match, PackSize, Place
from bot.settings import load_settings

log = logging.getLogger(__name__)

# Below this many posts a second process costs more than it saves.
_PARALLEL_FROM = 4000
_KINDS: tuple[Kind, ...] = ("offer", "need")
# A line's listings are numbered line * _PER_LINE + 0, 1 …: one per product it names.
_PER_LINE = 1000


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``match`` subcommand."""
    parser = subparsers.add_parser(
        "match",
        help="match offers to needs and print each need's best offers as JSON lines",
        description=(
            'FILE holds JSON lines {"id": "...", "text": "..."} with an optional "kind" '
            '("offer" or "need", used when the text does not say). Every text is parsed; '
            "for each need, in input order, its best eligible offers are printed as "
            '{"need": id, "offer": id, "score": x, "rank": r}, rank 1 the best. A text '
            'naming several products is one listing each: the second is "id#2", and so on. '
            "Lines that cannot be used are listed on stderr as JSON with their id and the "
            "reason."
        ),
    )
    parser.add_argument("--listings", required=True, type=Path, metavar="FILE")
    parser.add_argument(
        "--top", type=int, default=5, metavar="K", help="offers per need (default 5)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="processes for parsing large files (default: 2, or 1 on one core)",
    )
    parser.set_defaults(func=run)


@dataclass(frozen=True, slots=True)
class _Post:
    line: int
    id: str
    text: str
    kind: Kind | None


def run(args: argparse.Namespace) -> int:
    """Read, parse, match and print; exit 0 even when some lines are unusable, 2 on a bad FILE."""
    if args.top < 1:
        print("farmdock match: --top must be at least 1", file=sys.stderr)
        return 2
    try:
        listings, problems, names = read_listings(args.listings, args.workers)
    except OSError as error:
        print(f"farmdock match: cannot read {args.listings}: {error.strerror}", file=sys.stderr)
        return 2
    for problem in problems:
        print(json.dumps(problem, ensure_ascii=False), file=sys.stderr)
    needs = [listing for listing in listings if listing.kind == "need"]
    offers = [listing for listing in listings if listing.kind == "offer"]
    matches = match_in_parallel(needs, offers, args.top, time.time(), args.workers)
    ids = {number: json.dumps(name, ensure_ascii=False) for number, name in names.items()}
    try:
        sys.stdout.write("".join(_json_line(m, ids) for m in matches))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say.
        sys.stderr.close()
    return 0


def match_in_parallel(
    needs: list[Listing], offers: list[Listing], top_k: int, now: float, workers: int
) -> list[Match]:
    """:func:`match_all`, with products shared out over forked processes; the same result."""
    from bot.matching.index import match_all

    if workers < 2 or len(needs) + len(offers) < _PARALLEL_FROM:
        return match_all(needs, offers, top_k, now)
    # Whole products go to one worker (matching never crosses products), largest first
    # to the least loaded worker.
    loads = [0] * workers
    worker_of: dict[str, int] = {}
    for product, count in Counter(x.product for x in chain(needs, offers)).most_common():
        worker_of[product] = loads.index(min(loads))
        loads[worker_of[product]] += count
    global _shares
    # Forked workers inherit the listings; sending them through pickle would cost more
    # than the matching saves.
    _shares = [
        (
            [n for n in needs if worker_of[n.product] == w],
            [o for o in offers if worker_of[o.product] == w],
        )
        for w in range(workers)
    ]
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            parts = list(pool.map(_match_share, range(workers), [top_k] * workers, [now] * workers))
    finally:
        _shares = []
    by_need: dict[int, list[Match]] = defaultdict(list)
    for part in parts:
        for row in part:
            by_need[row[0]].append(Match(*row))
    return [m for need in needs for m in by_need.get(need.id, ())]


_shares: list[tuple[list[Listing], list[Listing]]] = []


def _match_share(
    worker: int, top_k: int, now: float
) -> list[tuple[int, int, float, int, int, str]]:
    from bot.matching.index import match_all

    needs, offers = _shares[worker]
    return [
        (m.need_id, m.offer_id, m.score, m.rank, m.tier, m.basis)
        for m in match_all(needs, offers, top_k, now)
    ]


def read_listings(
    path: Path, workers: int = 1
) -> tuple[list[Listing], list[dict[str, Any]], dict[int, str]]:
    """The usable listings of a JSON-lines file, in file order; a problem row per other
    line; and the file's own id of each listing.

    A listing's id is its line number, and line order stands for posting order (a later
    line is newer); a problem row is ``{"line": n, "id": id or None, "reason": text}``.
    """
    from bot.matching.clock import local_today
    from bot.matching.drafts import listing_from_draft

    tz = load_settings(require_token=False).timezone
    posts, problems = _read(path)
    today = local_today(tz)
    drafts = parse_posts([p.text for p in posts], today, workers)
    listings: list[Listing] = []
    names: dict[int, str] = {}
    for post, post_drafts in zip(posts, drafts, strict=True):
        for n, draft in enumerate(post_drafts[:_PER_LINE]):
            own_id = post.id if n == 0 else f"{post.id}#{n + 1}"
            listing = listing_from_draft(
                draft, post.line * _PER_LINE + n, float(post.line), today=today, tz=tz,
                kind=post.kind,
            )
            if isinstance(listing, str):
                problems.append(_problem(post.line, own_id, listing))
            else:
                listings.append(listing)
                names[listing.id] = own_id
    problems.sort(key=lambda row: row["line"])
    return listings, problems, names


def _json_line(match: Match, ids: dict[int, str]) -> str:
    """``{"need": id, "offer": id, "score": x, "rank": r, "basis": b}`` as ``json.dumps`` writes it.

    Built by hand because it is written once per match; ``ids`` holds each listing's
    file id as JSON.
    """
    need, offer = ids[match.need_id], ids[match.offer_id]
    rounded = round(match.score, 4)
    score = repr(rounded) if type(rounded) is float else json.dumps(rounded)
    # The four bases are plain ASCII words: no escaping needed.
    return (
        f'{{"need": {need}, "offer": {offer}, "score": {score}, "rank": {match.rank}, '
        f'"basis": "{match.basis}"}}\n'
    )


def _read(path: Path) -> tuple[list[_Post], list[dict[str, Any]]]:
    """The well-formed lines of FILE, and a problem row for each other line."""
    posts: list[_Post] = []
    problems: list[dict[str, Any]] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8", errors="replace", newline="\n") as lines:
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                row: Any = json.loads(raw)
            except json.JSONDecodeError as error:
                problems.append(_problem(number, None, f"not JSON: {error.msg}"))
                continue
            if not isinstance(row, dict) or not isinstance(row.get("id"), str):
                problems.append(_problem(number, None, 'no string "id"'))
                continue
            listing_id, text, kind = row["id"], row.get("text"), row.get("kind")
            reason = None
            if not isinstance(text, str):
                reason = 'no string "text"'
            elif kind is not None and kind not in _KINDS:
                reason = f'"kind" must be "offer" or "need", not {kind!r}'
            elif listing_id in seen:
                reason = "duplicate id; the first line with it is used"
            if reason is not None:
                problems.append(_problem(number, listing_id, reason))
                continue
            seen.add(listing_id)
            posts.append(_Post(number, listing_id, text, kind))
    return posts, problems


def _problem(line: int, listing_id: str | None, reason: str) -> dict[str, Any]:
    return {"line": line, "id": listing_id, "reason": reason}


def parse_posts(texts: list[str], today: date, workers: int) -> list[list[ListingDraft]]:
    """Parse every text into its listings (one per product named), in several processes for
    large files (parsing is most of the work)."""
    from bot.matching.parser import get_parser

    if workers < 2 or len(texts) < _PARALLEL_FROM:
        return [_parse_one(text, today) for text in texts]
    # Warm the parser first so that forked workers inherit it instead of each loading it.
    get_parser()
    size = -(-len(texts) // (workers * 4))
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = pool.map(_parse_chunk, chunks, [today] * len(chunks))
        return [[_expand(row) for row in rows] for part in parts for rows in part]


# What matching needs of a draft, as plain values: pickling whole drafts back from the
# workers would cost a third of the parsing time.
_Compact = tuple[Any, ...]


def _parse_chunk(texts: list[str], today: date) -> list[list[_Compact]]:
    return [[_compact(d) for d in _parse_one(text, today)] for text in texts]


def _compact(d: ListingDraft) -> _Compact:
    place, pack = d.place, d.pack
    return (
        d.raw_text,
        d.kind,
        d.product,
        d.quantity,
        d.unit,
        d.price,
        d.price_unit,
        d.price_bound,
        (place.city, place.county, place.township, place.outside),
        None if pack is None else (pack.package_unit, pack.amount, pack.amount_unit),
        d.valid_until,
        d.errors,
        d.standing,
        d.not_listing,
        d.kind_source,
    )


def _expand(row: _Compact) -> ListingDraft:
    (text, kind, product, quantity, unit, price, price_unit, bound, place, pack, until, errors,
     standing, not_listing, kind_source) = row
    return ListingDraft(
        raw_text=text,
        kind=kind,
        product=product,
        quantity=quantity,
        unit=unit,
        price=price,
        price_unit=price_unit,
        price_bound=bound,
        place=Place(*place),
        pack=None if pack is None else PackSize(*pack),
        valid_until=until,
        errors=errors,
        standing=standing,
        not_listing=not_listing,
        kind_source=kind_source,
    )


def _parse_one(text: str, today: date) -> list[ListingDraft]:
    from bot.matching.parser import MESSAGES, parse_listings

    try:
        return parse_listings(text, today)
    except Exception:
        # One bad post must not end the run; it is reported like any unusable line.
        log.exception("parser failed on a post of %d characters", len(text))
        return [ListingDraft(raw_text=text, errors=[MESSAGES["internal"]])]
