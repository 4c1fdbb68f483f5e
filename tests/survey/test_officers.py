"""Officers: who may assign whom, the to-do list from its sources, the morning message, and
reminders to stores that have not reported (the officer copied after a second miss)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.services import officers
from bot.services.officers import TodoContext, TodoEntry, officer_todo
from bot.services.survey import record_report
from bot.services.survey_needs import after_report
from storage.database import Database
from storage.survey import Store
from tests.backends import cli_args
from tests.stores import each

D = date(2026, 5, 10)
MANAGER, OFFICER, COUNTY, TOWNSHIP, ELSEWHERE = 501, 601, 602, 603, 604


@pytest.fixture
async def db(database_target: str) -> AsyncIterator[Database]:
    database = await Database.open(database_target)
    yield database
    await database.close()


async def setup(db: Database) -> list[Store]:
    await each(db).users.upsert(MANAGER, role="buyer", name="店长")
    await each(db).users.upsert(OFFICER, role="official", name="王", county="宝丰县")
    await each(db).users.upsert(COUNTY, role="official", name="县", county="宝丰县")
    await each(db).users.upsert(TOWNSHIP, role="official", name="镇", county="宝丰县",
                                township="张八桥镇")
    await each(db).users.upsert(ELSEWHERE, role="official", name="叶", county="叶县")
    found = []
    for name in ("万家福宝丰店", "万家福张八桥店", "万家福周庄店"):
        store, _ = await each(db).survey.upsert_store(
            chain="万家福", name=name, type="超市", county="宝丰县",
            township="张八桥镇" if "张八桥" in name else None, manager_phone=None,
            now=time.time())
        await each(db).survey.link_manager(store.id, MANAGER, time.time())
        found.append(store)
    return found


async def test_who_may_assign_whom(db: Database) -> None:
    stores = await setup(db)
    users = await each(db).users.by_ids([MANAGER, OFFICER, COUNTY, TOWNSHIP, ELSEWHERE])
    bao, zhang = stores[0], stores[1]
    assert officers.can_assign(users[COUNTY], users[OFFICER], bao) is None
    assert officers.can_assign(None, users[TOWNSHIP], zhang) is None  # the operator
    # A township official assigns nobody; an official outside the store's area is refused,
    # as officer or as assigner; a manager is no official.
    assert officers.can_assign(users[TOWNSHIP], users[TOWNSHIP], zhang) is not None
    assert officers.can_assign(users[COUNTY], users[ELSEWHERE], bao) is not None
    assert officers.can_assign(users[ELSEWHERE], users[OFFICER], bao) is not None
    assert officers.can_assign(users[COUNTY], users[MANAGER], bao) is not None
    assert officers.can_assign(users[COUNTY], users[TOWNSHIP], bao) is not None  # not his town


async def test_the_to_do_list_of_an_officer(db: Database) -> None:
    stores = await setup(db)
    for store in stores:
        await each(db).survey.assign_officer(store.id, OFFICER, None, time.time())
    async with db.write() as uow:
        for store, text in ((stores[0], "猪肉 库存1吨 日销0.5吨；大米 库存20吨 日销2吨"),
                            (stores[1], "大米 库存90吨 日销2吨")):
            await record_report(uow, store, D, text, MANAGER, time.time())
            await after_report(uow, store, D, time.time())
        await uow.commit()
    async with db.read() as uow:
        officer = await uow.users.get(OFFICER)
        assert officer is not None
        todo = await officer_todo(uow, officer, D, time.time())
    assert [e.store_id for e in todo.of_kind("not_reported")] == [stores[2].id]
    [urgent] = todo.of_kind("urgent")
    assert "猪肉告急" in urgent.text and urgent.store_id == stores[0].id
    assert sorted("猪肉" in e.text for e in todo.of_kind("need_draft")) == [False, True]
    text = officers.render_todo(todo)
    assert "负责3家门店，已报送2家" in text and "万家福周庄店" in text


async def test_the_to_do_list_takes_entries_from_any_source(db: Database) -> None:
    stores = await setup(db)
    await each(db).survey.assign_officer(stores[0].id, OFFICER, None, time.time())

    async def overdue_tickets(ctx: TodoContext) -> list[TodoEntry]:
        return [TodoEntry("ticket_overdue", s.id, f"{s.name} 工单超时") for s in ctx.stores]

    async with db.read() as uow:
        officer = await uow.users.get(OFFICER)
        assert officer is not None
        todo = await officer_todo(uow, officer, D, time.time(),
                                  sources=[*officers.TODO_SOURCES, overdue_tickets])
    assert [e.kind for e in todo.entries] == ["not_reported", "ticket_overdue"]


async def test_reminders_and_the_officer_copied_after_a_second_miss(db: Database) -> None:
    stores = await setup(db)
    for store in stores:
        await each(db).survey.assign_officer(store.id, OFFICER, None, time.time())
    async with db.write() as uow:
        # Store 0 reports both days, store 1 only yesterday, store 2 neither.
        await record_report(uow, stores[0], D - timedelta(days=1), "大米 90吨", None, 0)
        await record_report(uow, stores[0], D, "大米 90吨", None, 0)
        await record_report(uow, stores[1], D - timedelta(days=1), "大米 90吨", None, 0)
        await officers.enqueue_deadline(uow, D)
        await officers.enqueue_deadline(uow, D)  # twice: each message once
        await uow.commit()
    rows = await each(db).outbox.rows(kind="survey_reminder")
    told = sorted((r.chat_id, json.loads(r.payload)["text"].split("<b>")[1].split("</b>")[0])
                  for r in rows)
    assert told == [(MANAGER, "万家福周庄店"), (MANAGER, "万家福张八桥店"),
                    (OFFICER, "万家福周庄店")]


async def test_officers_morning_message(db: Database) -> None:
    stores = await setup(db)
    await each(db).survey.assign_officer(stores[0].id, OFFICER, None, time.time())
    async with db.write() as uow:
        assert await officers.enqueue_officer_mornings(uow, D, time.time()) == 1
        assert await officers.enqueue_officer_mornings(uow, D, time.time()) == 0
        await uow.commit()
    [row] = await each(db).outbox.rows(kind="survey_morning")
    text = json.loads(row.payload)["text"]
    assert row.chat_id == OFFICER and "早报" in text and "万家福宝丰店" in text


def test_officers_assign_and_todo_on_the_command_line(
        database_target: str, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = cli_args(database_target)
    main(["users", "add", "--telegram-id", str(OFFICER), "--role", "official", "--region",
          "宝丰县", *db])
    main(["users", "add", "--telegram-id", str(ELSEWHERE), "--role", "official", "--region",
          "叶县", *db])
    main(["stores", "add", "--chain", "万家福", "--name", "万家福宝丰店", "--type", "超市",
          "--region", "宝丰县", *db])
    capsys.readouterr()
    assert main(["officers", "assign", "--official", str(OFFICER), "--store", "万家福宝丰店",
                 *db]) == 0
    assert json.loads(capsys.readouterr().out)[0]["official"] == OFFICER
    assert main(["officers", "assign", "--official", str(ELSEWHERE), "--store", "1", *db]) == 2
    assert "不在叶县的辖区内" in capsys.readouterr().err
    assert main(["officers", "todo", "--official", str(OFFICER), "--date", "2026-05-10",
                 *db]) == 0
    todo = json.loads(capsys.readouterr().out)
    assert [e["kind"] for e in todo["entries"]] == ["not_reported"]
    assert main(["stores", "list", *db]) == 0
    assert json.loads(capsys.readouterr().out)[0]["officer"] == OFFICER


async def test_overdue_hotline_tickets_of_the_officers_stores_places_are_on_the_list(
    db: Database,
) -> None:
    from zoneinfo import ZoneInfo

    from bot.matching.model import CITY_NAME, Place
    from bot.services import tickets

    stores = await setup(db)
    await each(db).survey.assign_officer(stores[1].id, OFFICER, None, time.time())  # 张八桥
    tz = ZoneInfo("Asia/Shanghai")
    filed = time.time() - 3 * 24 * 3600  # long past every class's deadline
    async with db.write() as uow:
        for township, what in (("张八桥镇", "小区超市断了鸡蛋 13812345678"),
                               ("周庄镇", "周庄的超市没有面粉")):
            await tickets.file_ticket(
                uow, filer=None, category="缺货", what=what, tz=tz, now=filed,
                place=Place(city=CITY_NAME, county="宝丰县", township=township))
        await uow.commit()
    async with db.read() as uow:
        officer = await uow.users.get(OFFICER)
        assert officer is not None
        todo = await officer_todo(uow, officer, D, time.time())
    # Only the ticket at the place of the officer's store; its phone is not repeated.
    [entry] = todo.of_kind("ticket_overdue")
    assert "张八桥镇" in entry.text and "鸡蛋" in entry.text and "已超时" in entry.text
    assert "13812345678" not in entry.text
    assert "热线诉求" in officers.render_todo(todo)
