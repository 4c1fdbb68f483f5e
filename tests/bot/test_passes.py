"""Transport passes end to end through the fake Bot API: a grower applies step by step, the
county's official approves, the grower gets the pass image, a checkpoint scans its QR code
(decoded from the PNG the bot sent) and the bot answers; rejection, revocation, forged
presses, who sees phones, and the register."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from openpyxl import load_workbook
from PIL import Image
from telegram.ext import Application

from bot.matching.passes import sign
from bot.settings import Settings, load_settings
from bot.texts import common as common_texts
from storage.database import Database
from tests.backends import settings_env
from tests.bot.conftest import TOKEN, sign_up
from tests.fake_bot_api import FakeBotApi, FakeUser, SentMessage
from tests.stores import each

SECRET = "e2e-pass-secret-" + "0" * 24
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def settings(fake_api: FakeBotApi, database_target: str) -> Settings:
    """The bot's settings, with a pass secret."""
    return load_settings({
        "FARMDOCK_TOKEN": TOKEN, "FARMDOCK_API_BASE_URL": fake_api.base_url,
        **settings_env(database_target), "FARMDOCK_OPERATOR_CHAT_IDS": "",
        "FARMDOCK_PASS_SECRET": SECRET,
    }, env_file=None)


def _day(offset: int = 0) -> str:
    day = datetime.now(TZ).date() + timedelta(days=offset)
    return f"{day.month}月{day.day}日"


async def official(make_user, db: Database, county: str = "宝丰县",
                   township: str | None = None) -> FakeUser:
    invite = await each(db).users.create_invite(role="official", name="王科长", county=county,
                                                township=township)
    user = make_user("王科长")
    user.start(invite.code)
    await user.next_message(lambda m: "工作人员" in m.content)
    return user


async def apply_for_a_pass(grower: FakeUser, *, destination: str = "郑州") -> SentMessage:
    """Walk /pass: plate, crew, goods, origin, destination, validity; returns the receipt."""
    grower.send("/pass")
    assert "车牌" in (await grower.next_message()).content
    grower.send("豫D 1234")
    assert "看不懂" in (await grower.next_message()).content  # a bad plate is explained
    grower.send("豫d12345")
    assert "司机" in (await grower.next_message()).content
    grower.send("张师傅 13812345678\n李四 139 1234 5678")
    goods = await grower.next_message()
    grower.press(goods, "蔬菜")
    origin = await grower.next_message()
    assert "起点" in origin.content
    grower.press(origin, "宝丰县")
    asked = await grower.next_message()
    assert "终点" in asked.content
    grower.send(destination)
    assert "有效期" in (await grower.next_message()).content
    grower.send(f"{_day()}至{_day(7)}")
    review = await grower.next_message()
    assert "豫D12345" in review.content and "宝丰县 → 郑州市" in review.content
    grower.press(review, "确认提交")
    return await grower.server.wait_for_message(
        grower.id, lambda m: m.message_id == review.message_id and "已提交" in m.content,
        timeout=grower.patience)


async def test_from_application_to_a_checkpoints_scan(
    make_user, fake_api: FakeBotApi, db: Database, farmdock: Application,
) -> None:
    baofeng = await official(make_user, db)
    ye = await official(make_user, db, "叶县")
    grower = make_user("王师傅")
    await sign_up(grower)
    receipt = await apply_for_a_pass(grower)
    assert "宝丰县" in receipt.content

    notice = await baofeng.next_message(lambda m: "待审核" in m.content, timeout=15)
    assert "13812345678" in notice.content  # officials see the crew's phones
    # Someone else's official and the grower themselves press 批准 on the same notice.
    approve = notice.find_button("批准")["callback_data"]
    for intruder in (ye, grower):
        answer = await fake_api.wait_for_callback_answer(intruder.press_data(approve, notice))
        assert answer.get("text") == common_texts.REFUSED
    refused = await each(db).audit.entries(action="security.refused_callback")
    assert {e.actor_id for e in refused} >= {ye.id, grower.id}
    [pending] = await each(db).passes.of_applicant(grower.id)
    assert pending.status == "pending"

    baofeng.press(notice, "批准")
    done = await fake_api.wait_for_message(
        baofeng.id, lambda m: m.message_id == notice.message_id and "已批准" in m.content,
        timeout=5)
    [issued] = await each(db).passes.of_applicant(grower.id)
    assert issued.number is not None and issued.number.startswith("410421")
    assert issued.number in done.content

    photo = await grower.next_message(lambda m: m.method == "sendPhoto")
    assert photo.file is not None and photo.file.content.startswith(b"\x89PNG")
    assert issued.number in photo.content and "13812345678" not in photo.content
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(photo.file.content)))
    link = code.text
    token = sign(issued.number, SECRET)
    assert link == f"https://t.me/{fake_api.bot_username}?start=p{token}"

    # A checkpoint officer without an account scans it: the camera opens the bot.
    checkpoint = make_user("检查站")
    checkpoint.start(link.split("start=", 1)[1])
    answer = await checkpoint.next_message()
    assert "有效" in answer.content and "无效" not in answer.content
    for shown in ("豫D12345", "宝丰县 → 郑州市", "蔬菜", issued.valid_until, "张师傅"):
        assert shown in answer.content
    assert "138" not in answer.content and "139" not in answer.content
    # Again and again within its validity.
    checkpoint.send(f"/verify {link}")  # the link, pasted
    assert "有效" in (await checkpoint.next_message()).content
    # An official sees the phones, and may revoke it from the answer.
    baofeng.send(f"/verify {token}")
    official_view = await baofeng.next_message(lambda m: "有效" in m.content)
    assert "13812345678" in official_view.content
    # One character changed: forged.
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    checkpoint.start("p" + forged)
    assert "签名无效" in (await checkpoint.next_message()).content
    checkpoint.send("/verify 随便什么")
    assert "签名无效" in (await checkpoint.next_message()).content

    baofeng.press(official_view, "吊销")
    await baofeng.next_message(lambda m: "理由" in m.content)
    baofeng.send("司机信息不实")
    await baofeng.next_message(lambda m: "已吊销" in m.content)
    assert "已被吊销" in (await grower.next_message(lambda m: "吊销" in m.content)).content
    checkpoint.start("p" + token)
    revoked = await checkpoint.next_message()
    assert "无效" in revoked.content and "已吊销" in revoked.content
    checks = await each(db).audit.entries(action="pass.verify")
    assert len(checks) == 6

    baofeng.send("/passes")
    register = await baofeng.next_message(lambda m: m.method == "sendDocument")
    sheet = load_workbook(io.BytesIO(register.file.content)).active  # type: ignore[union-attr]
    [row] = list(sheet.iter_rows(min_row=2, values_only=True))
    assert (row[1], row[2], row[10]) == (issued.number, "已吊销", "13812345678")


async def test_a_rejection_reaches_the_applicant_with_its_reason(
    make_user, fake_api: FakeBotApi, db: Database, farmdock: Application,
) -> None:
    baofeng = await official(make_user, db)
    grower = make_user()
    await sign_up(grower)
    await apply_for_a_pass(grower)
    notice = await baofeng.next_message(lambda m: "待审核" in m.content, timeout=15)
    baofeng.press(notice, "驳回")
    await baofeng.next_message(lambda m: "理由" in m.content)
    baofeng.send("车")
    await baofeng.next_message(lambda m: "2 到 200" in m.content)
    baofeng.send("行驶证与车牌不符")
    await baofeng.next_message(lambda m: "已驳回" in m.content)
    told = await grower.next_message(lambda m: "未获批准" in m.content)
    assert "行驶证与车牌不符" in told.content
    [rejected] = await each(db).passes.of_applicant(grower.id)
    assert (rejected.status, rejected.number) == ("rejected", None)
    # The old notice's 批准 does nothing now.
    baofeng.press(notice, "批准")
    await baofeng.next_message(lambda m: "处理过" in m.content)


async def test_a_township_official_and_a_buyer_without_a_match_cannot(
    make_user, fake_api: FakeBotApi, db: Database, farmdock: Application,
) -> None:
    township = await official(make_user, db, "宝丰县", "张八桥镇")
    buyer = make_user()
    await sign_up(buyer, role="采购方", county="新华区", township=None)
    buyer.send("/pass")
    assert "采购方请先" in (await buyer.next_message()).content
    grower = make_user()
    await sign_up(grower)
    await apply_for_a_pass(grower)
    [filed] = await each(db).passes.of_applicant(grower.id)
    answer = await fake_api.wait_for_callback_answer(
        township.press_data(f"pas:ok:{filed.id}"))
    assert answer.get("text") == common_texts.REFUSED
    for data in ("pas:ok:999999", "pas:zz:1", f"pas:rv:{filed.id}"):
        answer = await fake_api.wait_for_callback_answer(buyer.press_data(data))
        assert answer.get("text") == common_texts.REFUSED, data
    assert (await each(db).passes.get(filed.id)).status == "pending"  # type: ignore[union-attr]
