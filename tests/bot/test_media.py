"""Voice, photos, files, stickers and locations get one line on how to post, never silence,
and never move a step in progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from storage.database import Database
from tests.bot.conftest import post_and_confirm, press, sign_up
from tests.fake_bot_api import FakeUser
from tests.stores import each

SENDS: dict[str, Callable[[FakeUser], Any]] = {
    "voice": lambda u: u.send_voice(),
    "audio": lambda u: u.send_media("audio"),
    "video_note": lambda u: u.send_media("video_note"),
    "video": lambda u: u.send_media("video"),
    "animation": lambda u: u.send_media("animation"),
    "photo": lambda u: u.send_photo(),
    "photo with caption": lambda u: u.send_photo("出售大白菜5000斤"),
    "document": lambda u: u.send_media("document"),
    "sticker": lambda u: u.send_sticker(),
    "location": lambda u: u.send_location(),
}


@pytest.mark.parametrize("kind", list(SENDS))
async def test_what_the_bot_cannot_read_gets_one_line_on_how_to_post(
    make_user, db: Database, kind: str
) -> None:
    grower = make_user()
    await sign_up(grower)
    SENDS[kind](grower)
    hint = await grower.next_message()
    assert "\n" not in hint.content and hint.button_texts() == []
    assert "出售大白菜5000斤，0.8元/斤" in hint.content  # the grower's own kind of post
    assert await each(db).listings.of_user(grower.id) == []
    # The next typed post is read as ever.
    assert "已发布" in (await post_and_confirm(grower, "出售小麦10吨，1.4元/斤")).content


async def test_voice_says_to_type_and_a_location_to_type_the_place(
    make_user, db: Database
) -> None:
    buyer = make_user()
    await sign_up(buyer, role="采购方", county="湛河区", township="姚孟街道")
    buyer.send_voice()
    assert (await buyer.next_message()).content == (
        "暂时听不了语音，请打字发送，如：求购土豆2吨，1.2元/斤以内"
    )
    buyer.send_location()
    located = (await buyer.next_message()).content
    assert "地名" in located and "湛河区姚孟街道" in located  # their own place as the example


async def test_a_photo_during_sign_up_leaves_the_step_as_it_is(
    make_user, db: Database
) -> None:
    grower = make_user()
    grower.start()
    ask_name = await press(grower, await grower.next_message(), "供应方")
    assert "称呼" in ask_name.content
    grower.send_photo()
    assert "打字" in (await grower.next_message()).content
    grower.send("王师傅")
    ask_org = await grower.next_message()
    assert "单位" in ask_org.content  # still the same sign-up, one step on
    assert "县区" in (await press(grower, ask_org, "无单位")).content
    grower.send_location()
    located = (await grower.next_message()).content
    assert "地名" in located and "宝丰县张八桥镇" in located
    grower.send("宝丰县张八桥镇")
    assert "手机号" in (await grower.next_message()).content
    grower.send_sticker()
    await grower.next_message()
    grower.send("跳过")
    assert "注册完成" in (await grower.next_message()).content
    stored = await each(db).users.get(grower.id)
    assert stored is not None and (stored.name, stored.township) == ("王师傅", "张八桥镇")


async def test_voice_while_a_question_waits_keeps_the_draft(make_user, db: Database) -> None:
    buyer = make_user()
    await sign_up(buyer, role="采购方", county="湛河区", township="姚孟街道")
    buyer.send("要土豆")
    assert "数量" in (await buyer.next_message()).content
    buyer.send_voice()
    assert "语音" in (await buyer.next_message()).content
    buyer.send("2吨")
    assert "价格" in (await buyer.next_message()).content  # the same draft, next question
