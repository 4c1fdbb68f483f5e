"""``farmdock demo``: a first look without Telegram.

Loads a sample day of posts into a fresh SQLite file, parses and publishes each
one exactly as the bot does (matches are recorded, notices wait in the outbox;
nothing is sent), then prints a county official's digest and the city's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli.db import add_database_arguments
from bot.demo import SamplePost, sample_posts
from bot.matching.area import CITY, Area
from bot.matching.clock import local_today
from bot.services import drafts
from bot.services.digest import load_digest
from bot.services.digest_text import render_digest, to_plain
from bot.services.listings import publish_listing
from bot.services.match_index import ListingIndex
from bot.settings import SettingsError, database_url_setting, load_settings
from storage.database import Database, is_postgresql

DEMO_COUNTY = "宝丰县"
FIRST_USER_ID = 900_000_001


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="load a sample day into a fresh database and print two officials' digests",
    )
    add_database_arguments(
        parser, db_help="a new database file to fill (default: a temporary file)")
    parser.add_argument("--county", default=DEMO_COUNTY,
                        help=f"the county official whose digest is shown (default {DEMO_COUNTY})")
    parser.set_defaults(func=demo_command)


def demo_command(args: argparse.Namespace) -> int:
    try:
        tz = load_settings(require_token=False).timezone
    except SettingsError as error:
        print(f"farmdock: {error}", file=sys.stderr)
        return 2
    if args.db and Path(args.db).exists():
        print(f"farmdock: {args.db} exists already; the demo fills a new file", file=sys.stderr)
        return 2
    if args.database_url:
        try:
            url = database_url_setting(args.database_url, "--database-url") or ""
        except SettingsError as error:
            print(f"farmdock: {error}", file=sys.stderr)
            return 2
        return asyncio.run(run_demo(url, args.county, tz))
    if args.db:
        return asyncio.run(run_demo(args.db, args.county, tz))
    with tempfile.TemporaryDirectory(prefix="farmdock-demo-") as folder:
        return asyncio.run(run_demo(str(Path(folder) / "demo.db"), args.county, tz))


async def run_demo(target: str, county: str, tz: ZoneInfo) -> int:
    """Fill the empty database ``target`` (a file or a URL) and print two digests."""
    db = await Database.open(target)
    try:
        async with db.read() as uow:
            if await uow.users.list():
                print(f"farmdock: {db.name} holds users already; the demo fills an empty"
                      " database", file=sys.stderr)
                return 2
        today = local_today(tz)
        report = await load_sample_day(db, today, tz)
        print(report)
        for area in (Area(county), CITY):
            async with db.read() as uow:
                digest = await load_digest(uow, area, today, tz)
            print("\n" + "=" * 60)
            print(to_plain(render_digest(digest, tz)))
        print("\n" + "=" * 60)
        option = "--database-url" if is_postgresql(target) else "--db"
        print(f"数据库 {db.name}：可用 `farmdock digest {option} {target} --region 平顶山市"
              " --format json` 继续查看。")
        return 0
    finally:
        await db.close()


async def load_sample_day(db: Database, today: date, tz: ZoneInfo) -> str:
    """Publish every sample post as happening today; returns a one-paragraph report."""
    async with db.write() as uow:
        await uow.users.upsert(FIRST_USER_ID - 1, role="official", name="市商务局值班员")
        await uow.users.upsert(FIRST_USER_ID - 2, role="official", name="宝丰县商务局",
                               county=DEMO_COUNTY)
        await uow.commit()
    index = ListingIndex(db)
    posters: dict[tuple[str, str], int] = {}
    outcome: Counter[str] = Counter()
    start = datetime.combine(today, datetime.min.time(), tz).timestamp()
    # The posts' times spread over the part of today already gone, so "today so far" holds them.
    span = max(60.0, time.time() - start)
    for post in sample_posts():
        user_id = posters.setdefault((post.role, post.organisation), FIRST_USER_ID + len(posters))
        # Each post is published in its own unit of work, as the bot publishes it.
        async with db.write() as uow:
            user = await uow.users.upsert(
                user_id, role=post.role, name="", organisation=post.organisation,
                county=post.county, township=post.township,
            )
            posting, _refused = drafts.from_post(post.text, user, today)
            if posting is not None and drafts.missing(posting) == "price":
                drafts.set_negotiable(posting)  # what the poster answers when asked: 面议
            if posting is None or drafts.missing(posting) is not None:
                outcome["incomplete"] += 1
                await uow.commit()
                continue
            now = start + span * _fraction(post)
            published = await publish_listing(
                uow, index, drafts.to_listing(posting, user_id, tz, now), today=today, now=now
            )
            await uow.commit()
        outcome[published.listing.kind] += 1
        outcome["matched"] += bool(published.matches)
    async with db.read() as uow:
        waiting = await uow.outbox.due(float("inf"), limit=100_000)
    return (
        f"样例：{len(posters)} 位用户的 {sum(outcome[k] for k in ('offer', 'need'))} 条信息已发布"
        f"（供应 {outcome['offer']}，求购 {outcome['need']}；"
        f"发布时即有匹配 {outcome['matched']} 条；信息不全未发布 {outcome['incomplete']} 条）。"
        f"\n待发送的匹配通知 {len(waiting)} 条（演示中不发送）。"
    )


def _fraction(post: SamplePost) -> float:
    """How far into the day a post was sent, 0..1."""
    return (post.at.hour * 60 + post.at.minute) / (24 * 60)
