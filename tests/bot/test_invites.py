"""Officials sign up only through a one-time invite link made with ``farmdock users invite``."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.cli import main
from bot.settings import Settings
from storage.database import Database
from tests.backends import cli_args
from tests.bot.conftest import TOKEN
from tests.fake_bot_api import FakeBotApi
from tests.stores import each


async def test_invite_link_signs_an_official_up_once(
    make_user, fake_api: FakeBotApi, db: Database, settings: Settings,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FARMDOCK_TOKEN", TOKEN)
    monkeypatch.setenv("FARMDOCK_API_BASE_URL", fake_api.base_url)
    code = await asyncio.to_thread(
        main, ["users", "invite", *cli_args(settings.database), "--region", "宝丰县",
               "--name", "王科长"],
    )
    assert code == 0
    invite = json.loads(capsys.readouterr().out)
    # The username came from getMe on the (fake) Bot API.
    assert invite["link"].startswith(f"https://t.me/{fake_api.bot_username}?start=")

    official = make_user("王科长")
    official.start(invite["code"])
    welcome = await official.next_message()
    assert "工作人员" in welcome.content and "宝丰县" in welcome.content
    stored = await each(db).users.get(official.id)
    assert stored is not None and (stored.role, stored.county) == ("official", "宝丰县")

    latecomer = make_user()
    latecomer.start(invite["code"])
    refused = await latecomer.next_message()
    assert "无效" in refused.content
    assert await each(db).users.get(latecomer.id) is None
