"""What officials see in the bot: their own command menu, their /help, /digest by date words."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.settings import Settings
from storage.database import Database
from tests.bot.conftest import BotFactory, sign_up
from tests.fake_bot_api import FakeBotApi, FakeUser, SentMessage
from tests.stores import each

TZ = ZoneInfo("Asia/Shanghai")
POSTING = {"start", "offer", "need", "mine", "matches", "help", "cancel"}


def _today() -> datetime:
    return datetime.now(TZ)


async def _official(make_user, db: Database, county: str = "宝丰县") -> FakeUser:
    """An official who joined through a one-time invite link, as `users invite` hands out."""
    invite = await each(db).users.create_invite(role="official", name="王科长", county=county)
    official = make_user("王科长")
    official.start(invite.code)
    welcome = await official.next_message()
    assert "工作人员" in welcome.content and "/help" in welcome.content
    return official


async def test_an_invited_official_gets_the_officials_menu_and_help(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    grower = make_user()
    await sign_up(grower)
    official = await _official(make_user, db)
    menu = await fake_api.wait_until(lambda: fake_api.menu(official.id)
                                     if "digest" in fake_api.menu(official.id) else None,
                                     what="the official's menu")
    assert {"digest", "short", "help"} <= set(menu)
    assert not {"offer", "need", "mine"} & set(menu)  # officials do not post
    assert set(fake_api.menu(grower.id)) == POSTING  # the default menu, unchanged

    official.send("/help")
    help_text = (await official.next_message()).content
    assert "宝丰县" in help_text
    for shown in ("/digest 昨天", "/digest 5月9日", "/digest 5.9", "/short", "缺口提醒", "24"):
        assert shown in help_text, shown
    grower.send("/help")
    assert "/digest" not in (await grower.next_message()).content


async def test_officials_and_admins_signed_up_before_a_start_get_their_menus(
    bot_factory: BotFactory, fake_api: FakeBotApi, settings: Settings
) -> None:
    async with await Database.open(settings.database) as db:
        for telegram_id, role in ((501, "official"), (502, "admin"), (503, "grower")):
            await each(db).users.upsert(telegram_id, role=role, name="", organisation="",
                                    phone=None, county="叶县", township=None)
    async with bot_factory():
        await fake_api.wait_until(lambda: "digest" in fake_api.menu(502), what="admin menu")
        assert {"digest", "short"} <= set(fake_api.menu(501))
        assert set(fake_api.menu(502)) == POSTING | {"digest", "short", "prices", "points",
                                                     "addpoint"}
        assert set(fake_api.menu(503)) == POSTING
        assert len(fake_api.calls_to("setMyCommands")) == 3  # the default, then one each


async def _digest(official: FakeUser, command: str) -> SentMessage:
    """Send /digest …; the workbook it ends with."""
    official.send(command)
    return await official.next_message(lambda m: m.method == "sendDocument", timeout=20)


async def test_digest_takes_date_words(make_user, db: Database, farmdock: Application) -> None:
    official = await _official(make_user, db)
    yesterday = (_today() - timedelta(days=1)).date()
    workbook = await _digest(official, "/digest 昨天")
    assert f"宝丰县 {yesterday.isoformat()}" in workbook.content
    earlier = (_today() - timedelta(days=3)).date()
    workbook = await _digest(official, f"/digest {earlier.month}.{earlier.day}")
    assert earlier.isoformat() in workbook.content
    workbook = await _digest(official, f"/digest {earlier.month}月{earlier.day}日")
    assert earlier.isoformat() in workbook.content


async def test_digest_explains_what_it_takes(make_user, db: Database,
                                             farmdock: Application) -> None:
    official = await _official(make_user, db)
    official.send("/digest 上个月")
    explained = (await official.next_message()).content
    for form in ("昨天", "前天", "5月9日", "5.9", "5/9", "2026-05-09"):
        assert form in explained, form
    official.send("/digest 明天")
    assert "还没到" in (await official.next_message()).content
