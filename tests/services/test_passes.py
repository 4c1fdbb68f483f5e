"""Transport passes through the use cases on a real database (each backend): who may apply
and decide, the numbers workers allocate at once, verification of every kind of token,
the register."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.matching.area import Area
from bot.matching.passes import CrewMember, Endpoint, sign
from bot.services import passes
from bot.services.passes import PassApplication, PassRefused
from storage.database import Database
from storage.records import User
from tests.storage.factories import listed
from tests.stores import each

TZ = ZoneInfo("Asia/Shanghai")
SECRET = "s" * 32
NOW = time.time()
TODAY = date.today()


@pytest.fixture
async def db(database_target: str) -> AsyncIterator[Database]:
    database = await Database.open(database_target)
    yield database
    await database.close()


async def user(db: Database, telegram_id: int, role: str, county: str | None = "宝丰县",
               township: str | None = None, **fields: object) -> User:
    made: User = await each(db).users.upsert(
        telegram_id, role=role, name=f"用户{telegram_id}", organisation="", county=county,
        township=township, **fields)
    return made


BAOFENG, ZHENGZHOU = Endpoint(county="宝丰县"), Endpoint(outside="郑州市")


def application(origin: Endpoint = BAOFENG, destination: Endpoint = ZHENGZHOU, *,
                first: date = TODAY, last: date = TODAY + timedelta(days=10)
                ) -> PassApplication:
    return PassApplication(
        plate="豫D12345",
        crew=(CrewMember("张师傅", "13812345678"), CrewMember("李四", "13912345678")),
        category="蔬菜", origin=origin, destination=destination, valid_from=first,
        valid_until=last)


async def run(db: Database, body):  # type: ignore[no-untyped-def]
    async with db.write() as uow:
        result = await body(uow)
        await uow.commit()
    return result


async def applied(db: Database, actor: User, app: PassApplication | None = None):  # type: ignore[no-untyped-def]
    return await run(db, lambda uow: passes.apply(uow, actor, app or application(), now=NOW))


async def approved(db: Database, official: User, pass_id: int):  # type: ignore[no-untyped-def]
    return await run(db, lambda uow: passes.approve(
        uow, official, pass_id, secret=SECRET, bot_username="farmdock_bot", tz=TZ, now=NOW))


async def verified(db: Database, token: str, today: date = TODAY):  # type: ignore[no-untyped-def]
    return await run(db, lambda uow: passes.verify(uow, token, secret=SECRET, today=today))


async def test_growers_buyers_with_a_match_and_officials_may_apply(db: Database) -> None:
    grower = await user(db, 1, "grower")
    buyer = await user(db, 2, "buyer")
    official = await user(db, 3, "official")
    assert (await applied(db, grower)).status == "pending"
    with pytest.raises(PassRefused) as caught:
        await applied(db, buyer)
    assert caught.value.code == "not_allowed"
    need = await listed(db, buyer.telegram_id, kind="need")
    offer = await listed(db, grower.telegram_id)
    await each(db).matches.record([(need.id, offer.id, 0.9, 1)])
    assert (await applied(db, buyer)).applicant_id == buyer.telegram_id
    on_behalf = await run(db, lambda uow: passes.apply(uow, official, application(), now=NOW,
                                                       applicant=grower))
    assert (on_behalf.applicant_id, on_behalf.applied_by) == (1, 3)
    with pytest.raises(PassRefused):
        await run(db, lambda uow: passes.apply(uow, grower, application(), now=NOW,
                                               applicant=buyer))


async def test_the_officials_of_the_in_city_end_are_asked_to_decide(db: Database) -> None:
    grower = await user(db, 1, "grower")
    baofeng = await user(db, 10, "official", "宝丰县")
    await user(db, 11, "official", "宝丰县", "张八桥镇")
    await user(db, 12, "official", "叶县")
    await user(db, 13, "official", None)
    filed = await applied(db, grower)
    rows = await each(db).outbox.rows(kind="pass")
    assert [r.chat_id for r in rows] == [baofeng.telegram_id]
    payload = json.loads(rows[0].payload)
    assert "13812345678" in payload["text"]  # officials see the crew's phones
    assert [b[1] for b in payload["buttons"][0]] == [f"pas:ok:{filed.id}", f"pas:no:{filed.id}"]


async def test_approval_by_role_and_area(db: Database) -> None:
    grower = await user(db, 1, "grower")
    filed = await applied(db, grower, application(Endpoint(outside="郑州市"),
                                                 Endpoint(county="叶县")))
    for outsider in (await user(db, 20, "official", "宝丰县"),
                     await user(db, 21, "official", "叶县", "遵化店镇"),
                     await user(db, 22, "official", None), await user(db, 23, "admin", None),
                     grower):
        with pytest.raises(PassRefused) as caught:
            await approved(db, outsider, filed.id)
        assert caught.value.code == "not_yours"
    ye = await user(db, 24, "official", "叶县")
    issued = await approved(db, ye, filed.id)
    assert issued.record.status == "approved"
    assert issued.record.number == "410422000001"  # 叶县's code, its first serial
    with pytest.raises(PassRefused) as caught:
        await approved(db, ye, filed.id)
    assert caught.value.code == "not_pending"
    image = [r for r in await each(db).outbox.rows(kind="pass") if r.chat_id == 1]
    attachment = json.loads(image[0].payload)["attachment"]
    assert attachment["kind"] == "photo" and attachment["filename"].endswith(".png")
    assert "13812345678" not in json.loads(image[0].payload)["text"]


async def test_no_pass_is_issued_without_the_secret(db: Database) -> None:
    grower = await user(db, 1, "grower")
    official = await user(db, 2, "official")
    filed = await applied(db, grower)
    with pytest.raises(PassRefused) as caught:
        await run(db, lambda uow: passes.approve(uow, official, filed.id, secret=None,
                                                 bot_username="b", tz=TZ, now=NOW))
    assert caught.value.code == "no_secret"
    assert (await each(db).passes.get(filed.id)).status == "pending"


async def test_a_rejection_needs_a_reason_and_tells_the_applicant(db: Database) -> None:
    grower = await user(db, 1, "grower")
    official = await user(db, 2, "official")
    filed = await applied(db, grower)
    with pytest.raises(PassRefused) as caught:
        await run(db, lambda uow: passes.reject(uow, official, filed.id, " ", now=NOW))
    assert caught.value.code == "bad_reason"
    done = await run(db, lambda uow: passes.reject(uow, official, filed.id, "车牌与行驶证不符",
                                                   now=NOW))
    assert (done.status, done.reason, done.number) == ("rejected", "车牌与行驶证不符", None)
    told = [json.loads(r.payload)["text"] for r in await each(db).outbox.rows(chat_id=1)]
    assert any("车牌与行驶证不符" in t for t in told)


async def test_workers_approving_at_once_never_give_one_number_twice(
    database_target: str,
) -> None:
    workers = [await Database.open(database_target) for _ in range(4)]
    try:
        grower = await user(workers[0], 1, "grower")
        officials = [await user(workers[0], 100 + n, "official") for n in range(4)]
        filed = [await applied(workers[0], grower) for _ in range(12)]
        issued = await asyncio.gather(*(
            approved(workers[n % 4], officials[n % 4], p.id) for n, p in enumerate(filed)))
        numbers = sorted(i.record.number for i in issued)
        assert numbers == [f"410421{n:06d}" for n in range(1, 13)]
    finally:
        for db in workers:
            await db.close()


async def test_verification_of_every_kind_of_token(db: Database) -> None:
    grower = await user(db, 1, "grower")
    official = await user(db, 2, "official")
    issued = await approved(db, official, (await applied(db, grower)).id)
    token = issued.token
    found = await verified(db, token)
    assert (found.valid, found.reason_text, found.record.number) == (
        True, None, issued.record.number)
    assert passes.verification_json(found)["pass"]["driver"] == {"name": "张师傅"}
    assert (await verified(db, token, TODAY + timedelta(days=10))).valid  # last day included
    assert (await verified(db, token, TODAY + timedelta(days=11))).reason_text == "已过期"
    assert (await verified(db, token, TODAY - timedelta(days=1))).reason_text == "未生效"
    tampered = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    assert (await verified(db, tampered)).reason_text == "签名无效"
    assert (await verified(db, sign(issued.record.number, "x" * 32))).reason_text == "签名无效"
    assert (await verified(db, "not a token")).reason_text == "签名无效"
    assert (await verified(db, sign("410421999999", SECRET))).reason_text == "未知"
    for _ in range(3):  # used again and again within its validity
        assert (await verified(db, token)).valid
    await run(db, lambda uow: passes.revoke(uow, official, issued.record.id, "司机信息不实",
                                            now=NOW))
    revoked = await verified(db, token)
    assert (revoked.valid, revoked.reason_text) == (False, "已吊销")
    assert passes.verification_json(revoked)["pass"]["status"] == "revoked"


async def test_the_register_lists_an_areas_passes_with_phones(db: Database) -> None:
    grower = await user(db, 1, "grower")
    await applied(db, grower)
    await applied(db, grower, application(Endpoint(county="叶县"), Endpoint(county="郏县")))
    async with db.read() as uow:
        baofeng = await uow.passes.in_area(Area("宝丰县"))
        township = await uow.passes.in_area(Area("宝丰县", "张八桥镇"))
        city = await uow.passes.in_area(Area())
    assert (len(baofeng), len(township), len(city)) == (1, 0, 2)
    sheet = load_workbook(io.BytesIO(passes.register_workbook(city, TZ))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("申请编号", "通行证编号", "状态", "车牌")
    assert rows[1][9:11] == ("张师傅", "13812345678") and rows[2][5:7] == ("叶县", "郏县")
