"""Defences end to end: phones only with consent, escaped text, refused presses, lost replies."""

from __future__ import annotations

import dataclasses

from telegram.ext import Application

from bot.app import build_application
from bot.settings import Settings
from storage import listings
from storage.database import Database
from tests.bot.conftest import post_and_confirm, press, sign_up
from tests.fake_bot_api import FakeBotApi, InjectedError, RunApplication


async def test_operators_never_see_a_shared_phone(
    make_user, fake_api: FakeBotApi, settings: Settings, run_application: RunApplication
) -> None:
    operator = make_user("值班")
    await run_application(build_application(
        dataclasses.replace(settings, operator_chat_ids=(operator.id,))
    ))
    grower = make_user()
    await sign_up(grower, phone=None)
    # Saving the number works, but telling the user fails: the error reaches the operators.
    fake_api.inject_error("sendMessage", InjectedError.bad_request("Bad Request: odd"),
                          chat_id=grower.id)
    grower.share_contact("13612345678")
    report = await operator.next_message(lambda m: "出错" in m.content)
    assert "phone_number" in report.content and "13612345678" not in report.content


async def test_edited_listing_card_is_html(make_user, fake_api: FakeBotApi, db: Database) -> None:
    grower = make_user()
    await sign_up(grower)
    await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    [listing] = await listings.user_listings(db, grower.id)
    await listings.update_listing(db, listing.id, grower.id, valid_until="2020-01-01")
    grower.send("/mine")
    await grower.next_message()
    card = await grower.next_message()
    await press(grower, card, "续期")
    assert card.edit_count == 1 and card.parse_mode == "HTML"
    assert "<b>大白菜</b>" in card.content


async def test_renewing_twice_the_same_day_is_no_error(make_user, farmdock: Application) -> None:
    grower = make_user()
    await sign_up(grower)
    await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    grower.send("/mine")
    await grower.next_message()
    card = await grower.next_message()
    first = await press(grower, card, "续期")
    second = await press(grower, card, "续期")
    assert "续期" in first.content and "续期" in second.content
    assert not any("出了点问题" in m.content for m in grower.messages)
