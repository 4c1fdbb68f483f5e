"""``farmdock users``: add, invite, list, block, unblock."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from storage.database import Database
from storage.schema import invites
from tests.backends import cli_args
from tests.stores import each


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_target: str) -> str:
    """The test's database (each backend), named on each command line."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("FARMDOCK_TOKEN", "FARMDOCK_DB", "FARMDOCK_DATABASE_URL",
                 "FARMDOCK_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return database_target


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, object, str]:
    code = main(["users", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None, err


def stored(db_path: str, telegram_id: int):  # type: ignore[no-untyped-def]
    async def get():  # type: ignore[no-untyped-def]
        async with await Database.open(db_path) as db:
            return await each(db).users.get(telegram_id)

    return asyncio.run(get())


def test_add_an_official_with_a_county(db_path: str, capsys) -> None:
    code, user, _ = run(capsys, "add", *cli_args(db_path), "--telegram-id", "42", "--role",
                        "official", "--region", "宝丰县", "--name", "王科长")
    assert code == 0
    assert user == {**user, "role": "official", "county": "宝丰县", "township": None,  # type: ignore[dict-item]
                    "name": "王科长"}


def test_add_a_grower_with_a_township_and_phone(db_path: str, capsys) -> None:
    code, _, _ = run(capsys, "add", *cli_args(db_path), "--telegram-id", "7", "--role", "grower",
                     "--name", "王师傅", "--org", "张八桥合作社", "--region", "宝丰县张八桥镇",
                     "--phone", "13800000001")
    assert code == 0
    user = stored(db_path, 7)
    assert (user.county, user.township, user.phone) == ("宝丰县", "张八桥镇", "13800000001")


@pytest.mark.parametrize("region", ["火星县", "马庄", "汝阳县"])
def test_unknown_or_ambiguous_region_exits_2(db_path: str, capsys, region: str) -> None:
    code, _, err = run(capsys, "add", *cli_args(db_path), "--telegram-id", "1", "--role",
                       "official", "--region", region)
    assert code == 2 and region in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("region", "nearest"),
    [
        ("宝丰县某某镇", "宝丰县周庄镇"),  # no such township: not all of 宝丰县
        ("叶县张八桥镇", "宝丰县张八桥镇"),  # 张八桥镇 is in 宝丰县: not all of 叶县
        ("宝丰县李庄镇", "宝丰县李庄乡"),
        ("宝封县张八桥镇", "宝丰县张八桥镇"),
        ("宝丰县叶县", "叶县"),
    ],
)
@pytest.mark.parametrize("action", ["add", "invite"])
def test_a_region_that_is_not_one_real_area_is_refused_never_widened(
    db_path: str, capsys, action: str, region: str, nearest: str
) -> None:
    target = ["--telegram-id", "42"] if action == "add" else ["--bot-username", "farmdock_bot"]
    code, printed, err = run(capsys, action, *cli_args(db_path), *target, "--role", "official",
                             "--region", region)
    assert code == 2 and printed is None
    assert err.count("\n") == 1 and region in err and nearest in err and "Traceback" not in err
    assert stored(db_path, 42) is None
    if action == "invite":
        assert not asyncio.run(_invites(db_path))


async def _invites(db_path: str) -> list[str]:
    async with await Database.open(db_path) as db, db.read() as uow:
        return list((await uow.connection.execute(select(invites.c.code))).scalars())


def test_list_block_and_unblock(db_path: str, capsys) -> None:
    run(capsys, "add", *cli_args(db_path), "--telegram-id", "1", "--role", "buyer")
    run(capsys, "add", *cli_args(db_path), "--telegram-id", "2", "--role", "grower")
    code, listed, _ = run(capsys, "list", *cli_args(db_path), "--role", "buyer")
    assert code == 0 and [u["telegram_id"] for u in listed] == [1]  # type: ignore[union-attr]
    assert run(capsys, "block", *cli_args(db_path), "2")[0] == 0
    assert stored(db_path, 2).status == "blocked"
    assert run(capsys, "unblock", *cli_args(db_path), "2")[0] == 0
    assert stored(db_path, 2).status == "active"
    assert run(capsys, "block", *cli_args(db_path), "999")[0] == 2


def test_invite_prints_a_deep_link(db_path: str, capsys) -> None:
    code, invite, _ = run(capsys, "invite", *cli_args(db_path), "--role", "official",
                          "--region", "鲁山县辛集乡", "--name", "李所长",
                          "--bot-username", "farmdock_bot")
    assert code == 0
    assert invite["link"] == f"https://t.me/farmdock_bot?start={invite['code']}"  # type: ignore[index]
    assert invite["region"] == "鲁山县辛集镇"  # type: ignore[index]  # its current name


def test_invite_without_token_or_username_fails_clearly(db_path: str, capsys) -> None:
    code, _, err = run(capsys, "invite", *cli_args(db_path), "--region", "宝丰县")
    assert code == 2 and "--bot-username" in err


def test_names_are_cleaned_where_they_enter(db_path: str, capsys) -> None:
    # A lone surrogate (as a shell passes an undecodable byte) would make SQLite's UTF-8
    # encoding fail; control and bidi characters would reach every digest.
    code, _, err = run(capsys, "add", *cli_args(db_path), "--telegram-id", "8", "--role", "buyer",
                       "--name", "李\u202e经理\x01", "--org", " 丹尼斯\udcff超市\u200b ")
    assert code == 0, err
    user = stored(db_path, 8)
    assert (user.name, user.organisation) == ("李经理", "丹尼斯超市")


def test_a_phone_is_stored_in_one_form_and_junk_is_refused(db_path: str, capsys) -> None:
    code, _, err = run(capsys, "add", *cli_args(db_path), "--telegram-id", "9", "--role", "buyer",
                       "--phone", "abc")
    assert code == 2 and "abc" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    for typed, stored_as in (("+86 138 1234 5678", "13812345678"),
                             ("0375—5678901", "0375-5678901")):
        code, _, err = run(capsys, "add", *cli_args(db_path), "--telegram-id", "9", "--role",
                           "buyer", "--phone", typed)
        assert code == 0, err
        assert stored(db_path, 9).phone == stored_as
