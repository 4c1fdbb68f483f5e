"""Without FARMDOCK_PASS_SECRET the bot takes applications but issues and checks no pass."""

from __future__ import annotations

from telegram.ext import Application

from storage.database import Database
from tests.bot.conftest import sign_up
from tests.bot.test_passes import apply_for_a_pass, official
from tests.fake_bot_api import FakeBotApi
from tests.stores import each


async def test_no_pass_is_issued_or_checked_without_the_secret(
    make_user, fake_api: FakeBotApi, db: Database, farmdock: Application,
) -> None:
    baofeng = await official(make_user, db)
    grower = make_user()
    await sign_up(grower)
    await apply_for_a_pass(grower)
    notice = await baofeng.next_message(lambda m: "待审核" in m.content, timeout=15)
    baofeng.press(notice, "批准")
    await baofeng.next_message(lambda m: "FARMDOCK_PASS_SECRET" in m.content)
    [filed] = await each(db).passes.of_applicant(grower.id)
    assert (filed.status, filed.number) == ("pending", None)
    assert not [m for m in grower.messages if m.method == "sendPhoto"]
    checkpoint = make_user()
    checkpoint.send("/verify " + "A" * 52)
    assert "FARMDOCK_PASS_SECRET" in (await checkpoint.next_message()).content
