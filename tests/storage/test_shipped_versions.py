"""Databases that earlier farmdocks made, one at each schema version they shipped, are
brought up to date in place with nothing lost.

``tests/fixtures/schema_vN.sqlite`` was made by the numbered ``.sql`` migrations of its
day, up to version N, and holds what a day's use leaves behind: people (phones as
Telegram shares them before version 5), an invite, offers and needs (one holding an
infinity before version 5), a match both sides said yes to, notices and a digest
waiting in the outbox (as Bot API calls before version 6), a sent digest, a half-typed
post, an audit entry.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.services.messages import Attachment, Button, Message
from storage.database import Database
from tests.storage.factories import HEAD, cabbage, fetch
from tests.storage.test_schema import differences
from tests.stores import each

FIXTURES = Path(__file__).parent.parent / "fixtures"
# The numbered .sql migrations went up to 6; later versions shipped as revisions only.
LAST_SQL_VERSION = 6
T = 1652054400.0


@pytest.fixture(params=range(1, LAST_SQL_VERSION + 1), ids=lambda v: f"v{v}")
def shipped(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[int, Path]:
    """(version, a copy of the database an earlier farmdock left at that version)."""
    copy = tmp_path / "city.db"
    shutil.copyfile(FIXTURES / f"schema_v{request.param}.sqlite", copy)
    return request.param, copy


async def test_a_database_of_each_shipped_version_is_upgraded_in_place(
    shipped: tuple[int, Path],
) -> None:
    version, path = shipped
    async with await Database.open(path, migrate=False) as old:
        assert await old.schema_version() == version
    async with await Database.open(path) as db:
        assert await db.schema_version() == HEAD
        assert await differences(db) == []

        users = await each(db).users.by_ids([1001, 1002, 1003, 1004])
        assert [(u.role, u.name, u.organisation, u.phone, u.county, u.township)
                for u in users.values()] == [
            ("grower", "王师傅", "张八桥蔬菜合作社", "13812345678", "宝丰县", "张八桥镇"),
            ("buyer", "李经理", "平顶山丹尼斯超市", "0375-5678901", "新华区", None),
            ("official", "赵科长", "宝丰县商务局", None, "宝丰县", None),
            ("grower", "刘大姐", "", None, "叶县", "龚店镇"),
        ]
        [invite] = await fetch(db, "SELECT code, role, name, county, used_by FROM invites")
        assert tuple(invite.values()) == ("Zx81QpLw0aRt", "official", "孙主任", "叶县", None)

        listings = await each(db).listings.get_many([1, 2, 3, 4])
        assert [(x.kind, x.product, x.quantity, x.unit, x.price, x.status, x.place.township)
                for x in listings.values()][:3] == [
            ("offer", "大白菜", 2500.0, "kg", 1.6, "open", "张八桥镇"),
            ("need", "大白菜", 2000.0, "kg", 2.0, "open", None),
            ("offer", "鸡蛋", 30.0, "箱", None, "closed", "龚店镇"),
        ]
        if version < 5:
            # The listing holding an infinity is withdrawn and loses the number.
            assert (listings[4].status, listings[4].closed_reason, listings[4].quantity) == (
                "withdrawn", "invalid", None)
        else:
            assert 4 not in listings
        assert listings[1].raw_text == "出售大白菜5000斤，0.8元/斤，宝丰县张八桥镇"
        key = await fetch(db, "SELECT publish_key FROM listings WHERE id = 1")
        assert key[0]["publish_key"] == ("draft:1001:1" if version >= 3 else None)

        match = await each(db).matches.get(1)
        assert match is not None
        assert (match.need_id, match.offer_id, match.score, match.need_interest_at,
                match.offer_interest_at, match.contacts_exchanged_at) == (
            2, 1, 0.93, T + 100, T + 110, T + 110)

        rows = {row.key: row for row in await each(db).outbox.rows()}
        assert Message.from_dict(json.loads(rows["match:1:need"].payload)) == Message(
            "为您找到匹配：<b>大白菜</b> 2500公斤", buttons=((Button("我有意向", "int:1:need"),),))
        digest_file = Message.from_dict(json.loads(rows["2022-05-09|1003|digest|xlsx"].payload))
        assert digest_file == Message("宝丰县 2022-05-09", attachment=Attachment(
            "document", "日报-2022-05-09.xlsx", b"PK\x03\x04 workbook"))
        assert [(r.status, r.chat_id) for r in rows.values()] == [
            ("pending", 1002), ("pending", 1003), ("sent", 1003)]

        conversation = await each(db).conversations.get(1004)
        # Drafts kept by the old persistence are not carried over (migration 6).
        assert (conversation.flow, conversation.data) == (
            ("posting", {"product": "鸡蛋"}) if version >= 6 else (None, {}))
        [entry] = await each(db).audit.entries()
        assert (entry.actor_id, entry.action, entry.target) == (1001, "listing.create",
                                                               "listing:1")

        # And it works on: a new listing is numbered after every old one, and its change
        # after every old change.
        before = await each(db).listings.latest_change_seq()
        new = await each(db).listings.add(cabbage(1001, kind="need"))
        assert new.id > max(listings)
        changes = await each(db).listings.changed_since(before)
        assert [x.id for x in changes.listings] == [new.id]
        assert (await each(db).listings.changed_since(0)).listings[:3] == [
            listings[1], listings[2], listings[3]]
