"""``farmdock parse``: posts in, one JSON object per post out, for scripts to rely on."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from datetime import date
from typing import Any, BinaryIO

from bot.settings import load_settings

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``parse`` subcommand."""
    parser = subparsers.add_parser(
        "parse",
        help="understand posts and print one JSON object per post",
        description=(
            "Parse growers' and buyers' posts into listing drafts. Each TEXT is one post; "
            "with no TEXT, every line of standard input is one post. Prints one JSON object "
            "per post, in input order, with keys ok, kind, product, category, quantity, unit, "
            "price, price_unit, city, county, township, phone, valid_until, price_bound, "
            "errors, standing, not_listing and listings (one object per product the post "
            "names, each with every other key; the top-level keys are the first's, but ok is "
            "true only when every listing is ok and errors holds every listing's errors)."
        ),
    )
    parser.add_argument("text", nargs="*", metavar="TEXT", help="a post (default: read stdin)")
    parser.add_argument(
        "--role",
        choices=("grower", "buyer"),
        help="the poster's role: decides offer (grower) or need (buyer) where the post does not",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Parse every post and print the results; exit 0 even when some posts do not parse."""
    from bot.matching.clock import local_today

    posts = args.text if args.text else _lines(sys.stdin.buffer)
    today = local_today(load_settings(require_token=False).timezone)
    out = sys.stdout.buffer
    try:
        for post in posts:
            # The answer names no text of the post, but a line must never fail to print:
            # whatever reaches it unencodable (a lone surrogate) becomes U+FFFD.
            line = json.dumps(_parse_one(post, today, args.role), ensure_ascii=False)
            out.write(line.encode("utf-8", errors="replace"))
            out.write(b"\n")
            out.flush()
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say.
        sys.stderr.close()
    return 0


def _parse_one(post: str, today: date, role: str | None) -> dict[str, Any]:
    # Imported here, not at the top: every farmdock command loads this module to register.
    from bot.matching.model import ListingDraft
    from bot.matching.parser import MESSAGES, parse_listings, post_to_json

    try:
        return post_to_json(parse_listings(post, today, role))
    except Exception:
        # The contract is one answer per line, so a parser bug must not end the run.
        log.exception("parser failed on a post of %d characters", len(post))
        return post_to_json([ListingDraft(raw_text=post, errors=[MESSAGES["internal"]])])


def _lines(stream: BinaryIO) -> Iterator[str]:
    """Lines split on newline only (never on other Unicode separators), bad bytes replaced."""
    for raw in iter(stream.readline, b""):
        yield raw.rstrip(b"\n").rstrip(b"\r").decode("utf-8", errors="replace")
