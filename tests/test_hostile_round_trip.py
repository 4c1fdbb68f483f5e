"""Arbitrary text, as a hostile or careless user types it, through every stage at once:
``farmdock parse``, the draft, publishing, and the digest as text, JSON, workbook and chart.

Whatever the text: nothing raises, ``farmdock parse`` prints one JSON line per post and
nothing on stderr, no stored number is non-finite or outside its plausible range, and no
workbook cell is a formula.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import math
from collections.abc import Awaitable, Callable
from contextlib import redirect_stderr, redirect_stdout
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli import main
from bot.cli.digest import digest_json
from bot.matching.area import CITY
from bot.matching.clock import PLATFORM_TZ as TZ
from bot.matching.limits import get_limits
from bot.matching.text import clean_text
from bot.services import drafts
from bot.services.digest import load_bundle
from bot.services.digest_text import render_digest, to_plain
from bot.services.listings import publish_listing
from bot.services.match_index import ListingIndex
from storage.database import Database
from storage.schema import listings
from tests.stores import each

# Every character, lone surrogates and control characters included.
ANY_CHARACTER = st.characters(exclude_categories=())
# Pieces of posts and of attacks, so that random texts reach deep into every stage.
PIECES = [
    "出售", "求购", "大白菜", "土豆", "鸡蛋", "面粉", "5000斤", "2吨", "300箱", "每箱360枚",
    "0.8元/斤", "120元/箱", "面议", "免费", "捐赠", "0元", "-5斤", "，-1元/斤", "-", "1e309",
    "1e309斤", "9" * 400, "9" * 400 + "斤", "NaN", "nan斤", "inf", "1_000元/公斤",
    "99999999999吨", "宝丰县张八桥镇", "叶县", "马庄", "13812345678", "1383751 2345",
    "0375—5678901", "3天内有效", '=HYPERLINK("http://example.com","点我")', "+1", "@SUM(A1)",
    "#N/A", "$\\frac$", "<b>", "&amp;", "\x00", "\x02", "\x1b[31m", "\ud800", "\udfff",
    "\u202e", "\u200b", "\ufeff", "\r\n", "\t", "\u2028", "😀", "，", " ",
]  # fmt: skip
hostile_text = st.one_of(
    st.text(ANY_CHARACTER, max_size=60),
    st.lists(st.sampled_from(PIECES), max_size=10).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(ANY_CHARACTER, max_size=3)),
             max_size=10).map("".join),
)
DAY = date(2026, 5, 9)
NOON = datetime(DAY.year, DAY.month, DAY.day, 12, tzinfo=TZ).timestamp()


def farmdock_parse(posts: list[str]) -> tuple[bytes, str]:
    """``farmdock parse -- POST...`` in this process: its stdout bytes and its stderr."""
    out, err = io.BytesIO(), io.StringIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8")
    with redirect_stdout(stdout), redirect_stderr(err):
        assert main(["parse", "--", *posts]) == 0  # -- : a post may start with a dash
        stdout.flush()
    return out.getvalue(), err.getvalue()


def storable(text: str, db: Database) -> str:
    """Text as the database can hold it at all (SQLite refuses lone surrogates, PostgreSQL
    those and NUL), nothing else removed: what may be stored already, whoever wrote it."""
    text = text.encode("utf-8", "ignore").decode("utf-8")
    return text.replace("\x00", "") if db.dialect == "postgresql" else text


def assert_plausible(row: dict[str, object]) -> None:
    limits = get_limits()
    quantity, price, pack = row["quantity"], row["price"], row["pack_amount"]
    if quantity is not None:
        assert isinstance(quantity, float) and limits.quantity_ok(quantity, row["unit"]), row
    if price is not None:
        assert isinstance(price, float)
        assert limits.price_ok(price, row["price_unit"], row["price_bound"]), row
    if pack is not None:
        assert isinstance(pack, float) and math.isfinite(pack) and pack > 0, row


async def publish_and_digest(path: str, posts: list[str], organisation: str) -> None:
    db = await Database.open(path)
    try:
        # The organisation as a careless import could have stored it; the name as typed.
        grower = await each(db).users.upsert(
            1, role="grower", name=clean_text(organisation)[:30],
            organisation=storable(organisation, db), county="宝丰县", township="张八桥镇",
        )
        buyer = await each(db).users.upsert(2, role="buyer", county="湛河区")
        index = ListingIndex(db)
        for n, text in enumerate(posts):
            user = grower if n % 2 == 0 else buyer
            posting, refused = drafts.from_post(clean_text(text), user, DAY)
            assert all(isinstance(r, str) and r for r in refused)
            if posting is None:
                continue
            # What a user could answer to the questions: 面议, my place, seven days.
            if drafts.missing(posting) == "price":
                drafts.set_negotiable(posting)
            if drafts.missing(posting) == "place":
                drafts.set_place(posting, user.place)
            if drafts.missing(posting) == "validity":
                drafts.set_valid_days(posting, 7, DAY)
            if drafts.missing(posting) is not None:
                continue
            new = drafts.to_listing(posting, user.telegram_id, TZ, NOON + n)
            async with db.write() as uow:
                await publish_listing(uow, index, new, today=DAY, now=NOON + n)
                await uow.commit()
        async with db.read() as uow:
            rows = (await uow.connection.execute(select(
                listings.c.quantity, listings.c.unit, listings.c.price, listings.c.price_unit,
                listings.c.price_bound, listings.c.pack_amount,
            ))).mappings().all()
            found = await load_bundle(uow, CITY, DAY, TZ, now=NOON + 3600)
        for row in rows:
            assert_plausible(dict(row))

        assert found.messages and found.chart.startswith(b"\x89PNG")
        assert to_plain(render_digest(found.digest, TZ))
        as_json = json.dumps(digest_json(found.digest), ensure_ascii=False, allow_nan=False)
        as_json.encode("utf-8")  # strict: no lone surrogate anywhere
        book = load_workbook(io.BytesIO(found.workbook))
        formulas = [c.coordinate for sheet in book.worksheets for r in sheet.iter_rows()
                    for c in r if c.data_type == "f"]
        assert formulas == []
    finally:
        await db.close()


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(posts=st.lists(hostile_text, min_size=1, max_size=6), organisation=hostile_text)
def test_anything_typed_survives_parse_publish_and_every_digest_output(
    posts: list[str], organisation: str, new_database: Callable[[], Awaitable[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        out, err = farmdock_parse(posts)
        assert err == ""
        lines = out.split(b"\n")
        assert lines[-1] == b"" and len(lines) - 1 == len(posts)
        for line in lines[:-1]:
            result = json.loads(line.decode("utf-8"))
            assert result["ok"] in (True, False) and isinstance(result["errors"], list)

        async def round_trip() -> None:
            await publish_and_digest(await new_database(), posts, organisation)

        asyncio.run(round_trip())
    # farmdock parse logs a parser failure instead of answering it: none may happen.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
