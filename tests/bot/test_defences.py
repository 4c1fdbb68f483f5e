"""Defences end to end: phones only with consent, escaped text, refused presses, lost replies."""

from __future__ import annotations

import dataclasses
import json

import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.matching.area import CITY
from bot.services.runtime import SERVICES_KEY
from bot.settings import Settings
from bot.telegram.router import Router
from bot.telegram.transport import RETRY_AFTER_RETRIES
from bot.texts import common as common_texts
from storage.database import Database
from storage.outbox import OutgoingMessage
from tests.bot.conftest import (
    eventually,
    post_and_confirm,
    press,
    published,
    sign_up,
)
from tests.fake_bot_api import FakeBotApi, InjectedError, RunApplication
from tests.stores import each


async def test_operators_never_see_a_shared_phone(
    make_user, fake_api: FakeBotApi, settings: Settings, run_application: RunApplication,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    operator = make_user("值班")
    await run_application(build_application(
        dataclasses.replace(settings, operator_chat_ids=(operator.id,))
    ))
    grower = make_user()
    await sign_up(grower, phone=None)

    async def broken(uow: object, telegram_id: int, phone: str) -> None:
        raise RuntimeError(f"could not keep {phone}")  # an error that quotes the number

    # Saving the shared number fails: the report reaches the operators, the number never.
    monkeypatch.setattr("bot.services.users.save_phone", broken)
    grower.share_contact("13612345678")
    report = await operator.next_message(lambda m: "出错" in m.content)
    assert "手机号已隐去" in report.content and "RuntimeError" in report.content
    assert "13612345678" not in report.content and "136******78" in report.content
    assert "出了点问题" in (await grower.next_message()).content


async def test_edited_listing_card_is_html(make_user, fake_api: FakeBotApi, db: Database) -> None:
    grower = make_user()
    await sign_up(grower)
    await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    [listing] = await each(db).listings.of_user(grower.id)
    await each(db).listings.update(listing.id, grower.id, valid_until="2020-01-01")
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


async def test_a_crash_before_the_reply_loses_it_not_and_publishes_once(
    make_user, settings: Settings, run_application: RunApplication,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    grower = make_user()
    first = await run_application(build_application(settings, reply_grace=0.5))
    await sign_up(grower)
    grower.send("出售大白菜5000斤，0.8元/斤")
    card = await grower.next_message()
    confirm = card.find_button("确认")["callback_data"]

    async def died(self: Router, *args: object) -> None:
        return None  # the process died after the commit, before it said anything

    monkeypatch.setattr(Router, "_send", died)
    grower.press_data(confirm, card)
    db = first.bot_data[SERVICES_KEY].db
    await eventually(lambda: _listed(db, grower.id, 1))
    await first.stop()
    monkeypatch.undo()

    # A new start: the outbox says what the dead process did not, once.
    second = await run_application(build_application(settings, reply_grace=0.5))
    receipt = await published(grower, card)
    [listing] = await each(second.bot_data[SERVICES_KEY].db).listings.of_user(grower.id)
    assert f"#{listing.id}）" in receipt.content
    # Pressing 确认 again on the old card publishes nothing more.
    answer = await grower.server.wait_for_callback_answer(grower.press_data(confirm, card))
    assert "失效" in answer.get("text", "")
    assert len(await each(second.bot_data[SERVICES_KEY].db).listings.of_user(grower.id)) == 1


async def _listed(db: Database, user_id: int, count: int) -> bool:
    return len(await each(db).listings.of_user(user_id)) == count


async def test_flood_on_the_reply_to_confirm_loses_nothing(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    grower = make_user()
    await sign_up(grower)
    grower.send("出售大白菜5000斤，0.8元/斤")
    card = await grower.next_message()
    # More 429s than the rate limiter retries: the reply itself cannot get through.
    fake_api.inject_error("editMessageText", InjectedError.flood(retry_after=0.1),
                          times=RETRY_AFTER_RETRIES + 1, chat_id=grower.id)
    grower.press(card, "确认")
    # The outbox turns the card into the receipt when the reply could not.
    receipt = await grower.server.wait_for_message(
        grower.id, lambda m: m.message_id == card.message_id and "编号" in m.content,
        timeout=15,
    )
    [listing] = await each(db).listings.of_user(grower.id)
    assert f"#{listing.id}）" in receipt.content
    assert not any("出了点问题" in m.content for m in grower.messages)


async def test_forged_presses_of_every_kind_are_refused_audited_and_change_nothing(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    grower, buyer, intruder = make_user(), make_user(), make_user()
    await sign_up(grower)
    await sign_up(buyer, role="采购方", county="湛河区", township="姚孟街道")
    await sign_up(intruder, role="采购方", county="郏县", township=None)
    await post_and_confirm(buyer, "求购大白菜3000斤，1元/斤以内")
    await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    [listing] = await each(db).listings.of_user(grower.id)
    [match] = await each(db).matches.in_period(0, 2e9, CITY)
    grower.send("出售土豆2吨，1元/斤")
    card = await grower.next_message(lambda m: "确认" in " ".join(m.button_texts()))
    token = card.find_button("确认")["callback_data"].rsplit(":", 1)[1]
    intruder.send("求购土豆1000斤，面议")  # the intruder has a draft of their own
    await intruder.next_message(lambda m: "确认" in " ".join(m.button_texts()))
    forged = [
        f"int:{match.id}",
        *(f"lst:{action}:{listing.id}" for action in ("qty", "price", "renew", "done", "close")),
        f"post:ok:{token}", "post:cat:蔬菜", "reg:role:admin", "reg:town:", "zzz:1",
    ]
    for data in forged:
        reply = await fake_api.wait_for_callback_answer(intruder.press_data(data, card))
        assert reply.get("text") in (common_texts.REFUSED, common_texts.STALE_BUTTON), data
    refused = await each(db).audit.entries(action="security.refused_callback")
    assert [e.actor_id for e in refused] == [intruder.id] * len(forged)
    assert await each(db).listings.of_user(intruder.id) == []
    assert await each(db).listings.get(listing.id) == listing
    assert (await each(db).users.get(intruder.id)).role == "buyer"  # type: ignore[union-attr]
    assert await each(db).matches.get(match.id) == match


async def test_a_user_who_blocked_the_bot_misses_nothing_of_others_and_can_come_back(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    grower, gone, buyer = make_user(), make_user(), make_user()
    await sign_up(grower)
    for who, county in ((gone, "湛河区"), (buyer, "叶县")):
        await sign_up(who, role="采购方", county=county, township=None)
        await post_and_confirm(who, "求购大白菜3000斤，1元/斤以内")
    fake_api.inject_error("sendMessage", InjectedError.blocked(), chat_id=gone.id)
    await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    # The buyer was just answered: the notice waits for a pause in their conversation.
    notice = await buyer.next_message(lambda m: "🔔" in m.content, timeout=15)
    assert "大白菜" in notice.content

    async def status() -> str | None:
        user = await each(db).users.get(gone.id)
        return user.status if user else None

    async def inactive() -> bool:
        return await status() == "inactive"

    await eventually(inactive)
    gone.start()
    back = await gone.next_message(lambda m: "欢迎回来" in m.content)
    assert back.parse_mode == "HTML" and await status() == "active"


async def test_a_blocked_users_press_is_answered_audited_and_does_nothing(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    grower = make_user()
    await sign_up(grower)
    grower.send("出售大白菜5000斤，0.8元/斤")
    card = await grower.next_message(lambda m: "确认" in " ".join(m.button_texts()))
    await each(db).users.set_status(grower.id, "blocked")  # `farmdock users block`
    seen = len(grower.messages)

    answer = await fake_api.wait_for_callback_answer(grower.press(card, "确认") or "")
    assert answer.get("text") == common_texts.BLOCKED
    [entry] = await each(db).audit.entries(action="security.refused_callback")
    assert entry.actor_id == grower.id and json.loads(entry.detail)["reason"] == "blocked user"
    assert await each(db).listings.of_user(grower.id) == []
    assert len(grower.messages) == seen and "编号" not in grower.messages[-1].content


async def test_a_notice_whose_answer_telegram_spoils_is_sent_once_and_told_once(
    make_user, fake_api: FakeBotApi, settings: Settings, run_application: RunApplication
) -> None:
    operator, first, second = make_user("值班"), make_user(), make_user()
    application = await run_application(build_application(
        dataclasses.replace(settings, operator_chat_ids=(operator.id,))
    ))
    db: Database = application.bot_data[SERVICES_KEY].db
    # Telegram takes both messages but answers with a body python-telegram-bot cannot read.
    for user in (first, second):
        fake_api.inject_error("sendMessage", InjectedError.unreadable_answer(), chat_id=user.id)
    await each(db).outbox.enqueue([
        OutgoingMessage(f"2026-05-09|{user.id}|notice", user.id, "notice",
                        {"text": f"通知 {user.id}"})
        for user in (first, second)
    ])
    application.bot_data[SERVICES_KEY].wake_outbox()

    alert = await operator.next_message(timeout=10)
    assert "无法读取" in alert.content

    async def both_marked() -> bool:
        return {m.status for m in await each(db).outbox.rows(kind="notice")} == {"sent"}

    await eventually(both_marked)
    for row in await each(db).outbox.rows(kind="notice"):
        assert "TypeError" in (row.last_error or "")
    for user in (first, second):
        assert [m.text for m in user.messages] == [f"通知 {user.id}"]
    assert len(operator.messages) == 1  # one alert for both
    assert len(await each(db).outbox.rows(chat_id=operator.id)) == 1
