"""Matches on the spot, 我有意向 on both sides, contacts to both and nobody else."""

from __future__ import annotations

from bot.matching.area import CITY
from storage.database import Database
from tests.bot.conftest import eventually, post_and_confirm, sign_up
from tests.fake_bot_api import FakeBotApi, FakeUser, InjectedError
from tests.stores import each

GROWER_PHONE = "13800000001"
BUYER_PHONE = "13900000002"


async def _pair(make_user) -> tuple[FakeUser, FakeUser]:
    grower = make_user("王师傅")
    buyer = make_user("李经理")
    await sign_up(grower, phone=GROWER_PHONE)
    await sign_up(buyer, role="采购方", name="李经理", organisation="丹尼斯超市",
                  county="湛河区", township="姚孟街道", phone=BUYER_PHONE)
    return grower, buyer


def _has_phone(user: FakeUser, phone: str) -> bool:
    return any(phone in m.content for m in user.messages)


async def test_both_say_yes_and_only_they_get_contacts(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    grower, buyer = await _pair(make_user)
    bystander = make_user("路人")
    await sign_up(bystander, role="采购方", name="赵", organisation="", county="叶县",
                  township=None, phone="13700000003")
    await post_and_confirm(buyer, "求购大白菜3000斤，1元/斤以内")
    published = await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    assert "1 条匹配" in published.content and "湛河区" in published.content
    assert any("意向" in t for t in published.button_texts())
    # The buyer hears about the new offer once: product and the grower's place (a few
    # seconds late, as a notice waits for a pause in the recipient's conversation).
    notice = await buyer.next_message(lambda m: "🔔" in m.content, timeout=15)
    assert "大白菜" in notice.content and "宝丰县张八桥镇" in notice.content
    assert not _has_phone(buyer, GROWER_PHONE) and not _has_phone(grower, BUYER_PHONE)

    buyer.press(notice, "意向")
    nudge = await grower.next_message(lambda m: "有意向" in m.content and "👋" in m.content,
                                      timeout=15)
    assert not _has_phone(grower, BUYER_PHONE)
    grower.press(nudge, "意向")
    card_for_grower = await grower.next_message(lambda m: BUYER_PHONE in m.content)
    assert "丹尼斯超市" in card_for_grower.content and "湛河区姚孟街道" in card_for_grower.content
    card_for_buyer = await buyer.next_message(lambda m: GROWER_PHONE in m.content)
    assert "张八桥蔬菜合作社" in card_for_buyer.content

    # Pressing again sends nothing new; the bystander never saw a phone or a notice.
    buyer.press(notice, "意向")
    await fake_api.wait_until(lambda: len(fake_api.callback_answers) >= 3)
    assert sum(GROWER_PHONE in m.content for m in buyer.messages) == 1
    assert not _has_phone(bystander, GROWER_PHONE) and not _has_phone(bystander, BUYER_PHONE)
    assert not any("🔔" in m.content for m in bystander.messages)
    [match] = await each(db).matches.in_period(0, 2e9, CITY)
    assert match.contacts_exchanged_at is not None


async def test_another_users_match_is_refused_and_audited(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    grower, buyer = await _pair(make_user)
    intruder = make_user("外人")
    await sign_up(intruder, role="采购方", name="钱", county="郏县", township=None)
    await post_and_confirm(buyer, "求购大白菜3000斤，1元/斤以内")
    await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    [match] = await each(db).matches.in_period(0, 2e9, CITY)
    query = intruder.press_data(f"int:{match.id}")
    reply = await fake_api.wait_for_callback_answer(query)
    assert "不属于您" in reply.get("text", "")
    refused = await each(db).audit.entries(action="security.refused_callback")
    assert [e.actor_id for e in refused] == [intruder.id]
    assert (await each(db).matches.get(match.id)).need_interest_at is None  # type: ignore[union-attr]


async def test_forged_callback_data_is_refused(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    grower = make_user()
    await sign_up(grower)
    published = await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    for data in ("lst:close:999999", "lst:drop:1", "int:abc", "'; DROP TABLE users;--"):
        query = grower.press_data(data, published)
        answer = await fake_api.wait_for_callback_answer(query)
        assert "不属于您" in answer.get("text", "")
    refused = await each(db).audit.entries(action="security.refused_callback")
    assert len(refused) == 4
    assert len(await each(db).listings.of_user(grower.id)) == 1


async def test_closing_anothers_listing_is_refused(make_user, fake_api, db: Database) -> None:
    grower, buyer = await _pair(make_user)
    await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    [listing] = await each(db).listings.of_user(grower.id)
    query = buyer.press_data(f"lst:close:{listing.id}")
    await fake_api.wait_for_callback_answer(query)
    assert (await each(db).listings.get(listing.id)).status == "open"  # type: ignore[union-attr]
    assert (await each(db).audit.entries(action="security.refused_callback"))[0].actor_id \
        == buyer.id


async def test_blocked_bot_during_notice_marks_user_inactive(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    grower, buyer = await _pair(make_user)
    await post_and_confirm(buyer, "求购大白菜3000斤，1元/斤以内")
    fake_api.inject_error("sendMessage", InjectedError.blocked(), chat_id=buyer.id)
    await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    # The buyer was just answered: the notice waits for a pause in their conversation.
    await fake_api.wait_until(
        lambda: fake_api.failed_calls("sendMessage"), what="the refused notice", timeout=15
    )

    async def inactive() -> bool:
        user = await each(db).users.get(buyer.id)
        return user is not None and user.status == "inactive"

    await eventually(inactive)


async def test_flood_limit_during_notice_is_retried(
    make_user, fake_api: FakeBotApi, db: Database
) -> None:
    grower, buyer = await _pair(make_user)
    await post_and_confirm(buyer, "求购大白菜3000斤，1元/斤以内")
    fake_api.inject_error("sendMessage", InjectedError.flood(retry_after=0.2), chat_id=buyer.id)
    await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    # The buyer was just answered: the notice waits for a pause in their conversation.
    notice = await buyer.next_message(lambda m: "🔔" in m.content, timeout=15)
    assert "大白菜" in notice.content

    async def sent() -> bool:
        return [m.status for m in await each(db).outbox.rows(kind="match")] == ["sent"]

    await eventually(sent)


async def test_grower_calling_officials_command_is_refused(make_user, farmdock) -> None:
    grower = make_user()
    await sign_up(grower)
    grower.send("/digest")
    reply = await grower.next_message()
    assert "工作人员" in reply.content


async def test_matches_shows_each_pairs_state(make_user, farmdock) -> None:
    grower, buyer = await _pair(make_user)
    await post_and_confirm(buyer, "求购大白菜3000斤，1元/斤以内")
    await post_and_confirm(grower, "出售大白菜5000斤，0.8元/斤")
    notice = await buyer.next_message(lambda m: "🔔" in m.content, timeout=15)
    buyer.press(notice, "意向")
    nudge = await grower.next_message(lambda m: "👋" in m.content, timeout=15)

    def listed(m) -> bool:
        return "的匹配" in m.content

    buyer.send("/matches")
    waiting = await buyer.next_message(listed)
    assert "等对方确认" in waiting.content
    assert not any("意向" in t for t in waiting.button_texts())  # pressed already
    grower.send("/matches")
    asked = await grower.next_message(listed)
    assert "对方有意向" in asked.content
    assert any("我有意向" in t for t in asked.button_texts())

    grower.press(nudge, "意向")
    await grower.next_message(lambda m: BUYER_PHONE in m.content, timeout=15)
    for user in (grower, buyer):
        user.send("/matches")
        done = await user.next_message(listed)
        assert "已交换联系方式" in done.content
        assert not any("意向" in t for t in done.button_texts())
