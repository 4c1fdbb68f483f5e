"""Phones at sign-up and afterwards, end to end: one stored form, and an explanation for
everything but the share-contact button."""

from __future__ import annotations

from storage.database import Database
from tests.bot.conftest import press, sign_up
from tests.fake_bot_api import FakeUser, SentMessage
from tests.stores import each


async def at_the_phone_step(user: FakeUser) -> SentMessage:
    user.start()
    ask_name = await press(user, await user.next_message(), "供应方")
    user.send("王师傅")
    ask_org = await user.next_message()
    ask_county = await press(user, ask_org, "无单位")
    ask_township = await press(user, ask_county, "宝丰县")
    ask_phone = await press(user, ask_township, "只填到")
    assert "分享手机号" in ask_phone.content and ask_name
    return ask_phone


async def test_a_shared_number_is_stored_as_11_digits(make_user, db: Database) -> None:
    grower = make_user()
    done = await sign_up(grower, phone="+8613812345678")
    assert "13812345678" in done.content and "+86" not in done.content
    stored = await each(db).users.get(grower.id)
    assert stored is not None and stored.phone == "13812345678"


async def test_someone_elses_contact_is_explained_not_asked_again(
    make_user, db: Database
) -> None:
    grower = make_user()
    ask = await at_the_phone_step(grower)
    grower.share_contact("13900000009", own=False)
    explained = await grower.next_message()
    assert "别人的" in explained.content and explained.content != ask.content
    assert "分享手机号" in explained.button_texts()[0]
    grower.share_contact("8613812345678")
    done = await grower.next_message()
    assert "注册完成" in done.content
    stored = await each(db).users.get(grower.id)
    assert stored is not None and stored.phone == "13812345678"


async def test_a_typed_number_is_explained_not_asked_again(make_user, db: Database) -> None:
    grower = make_user()
    ask = await at_the_phone_step(grower)
    grower.send("我的手机 138 1234 5678")
    explained = await grower.next_message()
    assert explained.content != ask.content and "不用手动输入" in explained.content
    assert await each(db).users.get(grower.id) is None  # nothing taken on trust
    grower.send("跳过")
    done = await grower.next_message()
    assert "注册完成" in done.content


async def test_a_foreign_number_is_explained(make_user, db: Database) -> None:
    grower = make_user()
    await at_the_phone_step(grower)
    grower.share_contact("+442079460958")
    explained = await grower.next_message()
    assert "中国大陆" in explained.content and "跳过" in explained.content
    assert await each(db).users.get(grower.id) is None


async def test_a_contact_shared_later_is_stored_in_the_same_form(
    make_user, db: Database
) -> None:
    grower = make_user()
    await sign_up(grower, phone=None)
    grower.share_contact("+86 137 0000 2222", own=False)
    refused = await grower.next_message()
    assert "别人的" in refused.content and "跳过" not in refused.button_texts()
    grower.share_contact("+86 137 0000 2222")
    saved = await grower.next_message()
    assert "已保存" in saved.content
    stored = await each(db).users.get(grower.id)
    assert stored is not None and stored.phone == "13700002222"
