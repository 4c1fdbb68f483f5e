"""The supply hotline end to end: the real Application against the fake Bot API, on each
backend. One ticket's life filed by a citizen (signed up as 市民 with a name and a place)
and one filed by a hotline operator for a caller (with the caller's name and phone)."""

from __future__ import annotations

import json
import re

from bot.services import actions
from bot.texts import common as common_texts
from bot.texts import tickets as ticket_texts
from storage.database import Database
from tests.bot.conftest import post_and_confirm, press, sign_up
from tests.fake_bot_api import FakeBotApi, FakeUser, SentMessage
from tests.stores import each

NUMBER = re.compile(r"RX-\d{8}-\d{4}")
# The morning digest may go out to an official during a test (the catch-up job runs at
# start-up after 08:00): a notice queued behind it waits for its workbook and chart.
PATIENCE = 20.0


def person(make_user, name: str) -> FakeUser:
    user: FakeUser = make_user(name)
    user.patience = PATIENCE
    return user


async def invited(make_user, db: Database, role: str, name: str, county: str | None,
                  township: str | None = None) -> FakeUser:
    """Someone who joined through a one-time invite link, as `users invite` hands out."""
    invite = await each(db).users.create_invite(role=role, name=name, county=county,
                                                township=township)
    user = person(make_user, name)
    user.start(invite.code)
    assert "您已登记为" in (await user.next_message()).content
    return user


async def sign_up_citizen(user: FakeUser) -> SentMessage:
    """/start → 市民 → name → place by buttons: no organisation, no phone."""
    user.start()
    welcome = await user.next_message()
    ask_name = await press(user, welcome, "市民")
    assert "称呼" in ask_name.content
    user.send("张女士")
    ask_county = await user.next_message()
    assert "县区" in ask_county.content
    ask_township = await press(user, ask_county, "宝丰县")
    done = await press(user, ask_township, "张八桥镇")
    assert "注册完成" in done.content and "市民" in done.content, done.content
    assert "/ticket" in done.content
    return done


async def card_after(fake_api: FakeBotApi, user: FakeUser, card: SentMessage, button: str,
                     state: str) -> SentMessage:
    """Press ``button`` on a ticket's card and wait for the card to show ``state``."""
    user.press(card, button)
    return await fake_api.wait_for_message(
        user.id, lambda m: m.message_id == card.message_id and f"状态：{state}" in m.content,
        timeout=user.patience)


async def test_a_citizens_ticket_from_filing_to_callback(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    official = await invited(make_user, db, "official", "王镇长", "宝丰县", "张八桥镇")
    citizen = person(make_user, "张女士")
    await sign_up_citizen(citizen)
    stored = await each(db).users.get(citizen.id)
    assert (stored.role, stored.phone, stored.township) == ("citizen", None, "张八桥镇")
    # The citizen's menu holds the hotline's commands, not the posting ones.
    menu = await fake_api.wait_until(lambda: fake_api.menu(citizen.id)
                                     if "ticket" in fake_api.menu(citizen.id) else None,
                                     what="the citizen's menu")
    assert "tickets" in menu and not {"offer", "need", "mine"} & set(menu)

    # A citizen does not post listings: a line without /ticket says how to file one.
    citizen.send("小区买不到大白菜")
    assert "/ticket" in (await citizen.next_message()).content

    citizen.send("/ticket 缺货 小区超市买不到大白菜，要500斤")
    # The line names no place: the citizen's own is offered.
    ask_where = await citizen.next_message()
    assert "在哪里" in ask_where.content
    receipt = await press(citizen, ask_where, "就在我登记的地点")
    assert "已受理" in receipt.content and "宝丰县张八桥镇" in receipt.content
    [number] = NUMBER.findall(receipt.content)
    ticket = await each(db).tickets.by_number(number)
    assert (ticket.state, ticket.category, ticket.filer_id) == ("受理", "缺货", citizen.id)

    card = await official.next_message(lambda m: number in m.content)
    assert "新诉求" in card.content and "接单" in " ".join(card.button_texts())
    card = await card_after(fake_api, official, card, "接单", "派单")
    assert "已派给" in (await citizen.next_message()).content
    card = await card_after(fake_api, official, card, "开始办理", "办理中")
    assert "正在办理" in (await citizen.next_message()).content

    # 转为求购信息: the ticket becomes a need on the market, the filer hears of it, and
    # again when a grower's offer matches it.
    official.press(card, "转为求购")
    published = await official.next_message(lambda m: "已转为求购信息" in m.content)
    ticket = await each(db).tickets.get(ticket.id)
    need = await each(db).listings.get(ticket.need_id)
    assert (need.kind, need.product, need.user_id) == ("need", "大白菜", official.id)
    assert f"#{need.id}" in published.content
    assert "发布大白菜求购信息" in (await citizen.next_message()).content
    grower = person(make_user, "王师傅")
    await sign_up(grower)
    await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤，宝丰县张八桥镇")
    told = await citizen.next_message(lambda m: number in m.content)
    assert "供应方能供应大白菜" in told.content

    official.press(card, "答复")
    assert number in (await official.next_message()).content
    official.send("已联系张八桥合作社，明早送到小区")
    card = await official.next_message(lambda m: "状态：已答复" in m.content)
    assert "明早送到小区" in (await citizen.next_message()).content
    card = await card_after(fake_api, official, card, "已解决", "办结")
    callback = await citizen.next_message()
    assert "已办结（已解决）" in callback.content
    assert set(callback.button_texts()) == {"满意", "不满意"}

    # Not satisfied: reopened, the owner told; then answered and closed again, satisfied.
    citizen.press(callback, "不满意")
    await fake_api.wait_for_message(
        citizen.id, lambda m: m.message_id == callback.message_id and "状态：办理中" in m.content)
    reopened = await official.next_message(lambda m: "不满意" in m.content)
    official.press(reopened, "答复")
    await official.next_message()
    official.send("今天上午已送到")
    card = await official.next_message(lambda m: "状态：已答复" in m.content)
    await citizen.next_message(lambda m: "今天上午已送到" in m.content)
    await card_after(fake_api, official, card, "已解决", "办结")
    callback = await citizen.next_message(lambda m: "已办结" in m.content)
    await card_after(fake_api, citizen, callback, "满意", "回访")

    actions_done = [e.action for e in await each(db).audit.entries()
                    if e.target == f"ticket:{number}"]
    assert actions_done == ["ticket.filed", "ticket.take", "ticket.start", "ticket.need",
                            "ticket.answer", "ticket.close", "ticket.rate", "ticket.answer",
                            "ticket.close", "ticket.rate"]
    assert (await each(db).tickets.get(ticket.id)).state == "回访"


async def test_forged_and_foreign_presses_are_refused_and_audited(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    await invited(make_user, db, "official", "王镇长", "宝丰县", "张八桥镇")
    stranger_official = await invited(make_user, db, "official", "李科长", "叶县")
    citizen = person(make_user, "张女士")
    await sign_up_citizen(citizen)
    citizen.send("/ticket 价格 鸡蛋一天涨了两块 宝丰县张八桥镇")
    [number] = NUMBER.findall((await citizen.next_message()).content)
    ticket = await each(db).tickets.by_number(number)
    for who, data in ((stranger_official, actions.ticket("take", ticket.id)),
                      (citizen, actions.ticket("close", ticket.id, 1)),
                      (citizen, actions.ticket("rate", ticket.id, 0)),
                      (stranger_official, f"tk:close:{ticket.id}:9"),
                      (stranger_official, actions.ticket("need", ticket.id))):
        query = who.press_data(data)
        answer = await fake_api.wait_for_callback_answer(query)
        # Not theirs: refused; the filer's rating of an open ticket: not at that step yet.
        assert answer.get("text") in (common_texts.REFUSED, ticket_texts.REFUSALS["wrong_state"])
    assert (await each(db).tickets.get(ticket.id)).state == "受理"
    refused = await each(db).audit.entries(action="security.refused_callback")
    assert len(refused) == 5
    assert {e.actor_id for e in refused} == {stranger_official.id, citizen.id}


async def test_a_hotline_operators_ticket_for_a_caller(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    operator = await invited(make_user, db, "hotline", "接线员小李", None)
    county = await invited(make_user, db, "official", "李科长", "叶县")
    elsewhere = await invited(make_user, db, "official", "王科长", "宝丰县")
    assert (await each(db).users.get(operator.id)).role == "hotline"
    await fake_api.wait_until(lambda: "ticket" in fake_api.menu(operator.id),
                              what="the operator's menu")

    operator.send("/ticket 送菜车在卡口过不去")
    assert "来电人" in (await operator.next_message()).content
    operator.send("李先生")
    assert "手机号" in (await operator.next_message()).content  # no phone: asked again
    operator.send("李先生 137 0000 2222")
    ask_where = await operator.next_message()
    assert "在哪里" in ask_where.content and not ask_where.button_texts()
    operator.send("叶县")
    receipt = await operator.next_message()
    [number] = NUMBER.findall(receipt.content)
    assert "叶县" in receipt.content
    ticket = await each(db).tickets.by_number(number)
    assert (ticket.category, ticket.caller_name, ticket.caller_phone) == (
        "通行", "李先生", "13700002222")
    assert ticket.filer_id == operator.id

    # The county's official sees the caller's phone; nobody else is told of the ticket.
    card = await county.next_message(lambda m: number in m.content)
    assert "李先生 13700002222" in card.content
    for step, state in (("接单", "派单"), ("开始办理", "办理中")):
        card = await card_after(fake_api, county, card, step, state)
    county.press(card, "答复")
    await county.next_message()
    county.send("已联系交警开通绿色通道")
    card = await county.next_message(lambda m: "状态：已答复" in m.content)
    await card_after(fake_api, county, card, "已转办", "办结")
    callback = await operator.next_message(lambda m: "已办结（已转办）" in m.content)
    await card_after(fake_api, operator, callback, "满意", "回访")

    # The operator's own chat never shows the caller's phone back; the other county's
    # official heard nothing.
    operator.send("/tickets")
    listed = await operator.next_message(lambda m: number in m.content)
    assert "李先生" in listed.content and "13700002222" not in listed.content
    assert all("13700002222" not in m.content for m in fake_api.messages_to(operator.id)), [
        m.content for m in fake_api.messages_to(operator.id)]
    assert not any(number in m.content for m in fake_api.messages_to(elsewhere.id))
    filed = [e for e in await each(db).audit.entries(action="ticket.filed")]
    assert json.loads(filed[0].detail)["by"] == "hotline"


async def test_nobody_makes_themselves_a_hotline_operator_or_an_official(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    user = person(make_user, "冒充者")
    user.start()
    welcome = await user.next_message()
    assert "市民" in " ".join(welcome.button_texts())
    assert not any("热线" in b for b in welcome.button_texts())
    for forged in ("reg:role:hotline", "reg:role:official", "reg:role:admin"):
        query = user.press_data(forged, welcome)
        answer = await fake_api.wait_for_callback_answer(query)
        assert answer.get("text") == common_texts.REFUSED
    assert await each(db).users.get(user.id) is None
    refused = await each(db).audit.entries(action="security.refused_callback",
                                           actor_id=user.id)
    assert len(refused) == 3


async def test_help_follows_the_hotline_roles(make_user, db: Database) -> None:
    citizen = person(make_user, "张女士")
    await sign_up_citizen(citizen)
    citizen.send("/help")
    shown = (await citizen.next_message()).content
    assert "/ticket 缺货" in shown and "来电人" not in shown
    operator = await invited(make_user, db, "hotline", "接线员小李", None)
    operator.send("/help")
    assert "来电人" in (await operator.next_message()).content
    official = await invited(make_user, db, "official", "王镇长", "宝丰县", "张八桥镇")
    official.send("/help")
    assert "/tickets" in (await official.next_message()).content
