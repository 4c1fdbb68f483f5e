"""The end-to-end harness itself: a tiny echo Application against the fake Bot API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from benchmarks.echo_bot import build_echo_application
from tests.fake_bot_api import (
    TEST_TOKEN,
    FakeBotApi,
    FakeUser,
    InjectedError,
    RunApplication,
    SimulatedClock,
    running_application,
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with the deep-link payload and offer two buttons."""
    assert update.message and update.effective_user
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("确认", callback_data="confirm"),
                InlineKeyboardButton("取消确认", callback_data="cancel"),
            ]
        ]
    )
    payload = " ".join(context.args or [])
    await update.message.reply_text(
        f"你好，{update.effective_user.first_name}！{payload}", reply_markup=keyboard
    )


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acknowledge the press and replace the keyboard with the choice."""
    query = update.callback_query
    assert query
    await query.answer("好的")
    await query.edit_message_text(f"已选择：{query.data}")


async def contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell apart a shared own number from someone else's card."""
    assert update.message and update.message.contact and update.effective_user
    shared = update.message.contact
    whose = "本人" if shared.user_id == update.effective_user.id else "他人"
    await update.message.reply_text(
        f"收到{whose}号码 {shared.phone_number}", reply_markup=ReplyKeyboardRemove()
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeat the text."""
    assert update.message and update.message.text
    await update.message.reply_text(update.message.text)


def build_app(server: FakeBotApi, *, max_retries: int = 0) -> Application:
    builder = (
        ApplicationBuilder()
        .token(TEST_TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .get_updates_read_timeout(2)
    )
    if max_retries:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=max_retries))
    application = builder.build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    application.add_handler(MessageHandler(filters.CONTACT, contact))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return application


@pytest.fixture
async def app(fake_api: FakeBotApi, run_application: RunApplication) -> Application:
    return await run_application(build_app(fake_api))


@pytest.fixture
async def bot(fake_api: FakeBotApi) -> AsyncIterator[Bot]:
    """A bare Bot, for calls that need no handlers."""
    async with Bot(
        TEST_TOKEN, base_url=fake_api.base_url, base_file_url=fake_api.base_file_url
    ) as plain_bot:
        yield plain_bot


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def api_url(server: FakeBotApi, method: str) -> str:
    return f"{server.base_url}{TEST_TOKEN}/{method}"


# ---------------------------------------------------------------- round trips


async def test_start_with_payload_and_deep_link(
    app: Application, make_user: Callable[..., FakeUser]
) -> None:
    user = make_user("王师傅")
    user.start("ref-42")
    reply = await user.next_message()
    assert reply.text == "你好，王师傅！ref-42"
    assert reply.button_texts() == ["确认", "取消确认"]
    assert app.bot.link == "https://t.me/farmdock_test_bot"


async def test_echo_and_users_stay_apart(
    app: Application, make_user: Callable[..., FakeUser]
) -> None:
    first, second = make_user(), make_user()
    assert first.id != second.id and first.first_name != second.first_name
    first.send("出售大白菜5000斤")
    second.send("123")  # digits stay text, not a number
    assert (await first.next_message()).text == "出售大白菜5000斤"
    assert (await second.next_message()).text == "123"
    assert [m.text for m in first.messages] == ["出售大白菜5000斤"]


async def test_press_answers_the_query_and_edits_the_message(
    app: Application, fake_api: FakeBotApi, make_user: Callable[..., FakeUser]
) -> None:
    user = make_user()
    user.start()
    menu = await user.next_message()
    query_id = user.press(menu, "确认")  # exact text wins over "取消确认"
    assert query_id is not None
    assert (await fake_api.wait_for_callback_answer(query_id))["text"] == "好的"
    edited = await fake_api.wait_for_message(user.id, lambda m: m.text == "已选择：confirm")
    assert edited is menu and menu.edit_count == 1
    assert menu.buttons() == []  # an edit without reply_markup drops the keyboard
    with pytest.raises(LookupError):
        user.press(menu, "确认")


async def test_forged_callback_data_reaches_the_handler(
    app: Application, fake_api: FakeBotApi, make_user: Callable[..., FakeUser]
) -> None:
    user = make_user()
    user.start()
    await user.next_message()
    user.press_data("delete:listing:999")
    await fake_api.wait_for_message(user.id, lambda m: m.text == "已选择：delete:listing:999")


async def test_contact_share_own_and_foreign(
    app: Application, make_user: Callable[..., FakeUser]
) -> None:
    user = make_user()
    user.share_contact("+8613800138000")
    assert (await user.next_message()).text == "收到本人号码 +8613800138000"
    user.share_contact("13900139000", own=False)
    assert (await user.next_message()).text == "收到他人号码 13900139000"


def test_media_messages_are_what_python_telegram_bot_reads_from_telegram(
    fake_api: FakeBotApi, make_user: Callable[..., FakeUser]
) -> None:
    user = make_user()
    sent = [user.send_voice(), user.send_photo("大白菜"), user.send_sticker("🙏"),
            user.send_location(33.7, 113.2), user.send_media("document"),
            user.send_media("animation"), user.send_media("video_note")]
    voice, photo, sticker, location, document, animation, note = (
        Message.de_json(m, None) for m in sent
    )
    assert voice.voice.duration == 4 and voice.voice.mime_type == "audio/ogg"
    assert len(photo.photo) == 3 and photo.caption == "大白菜" and photo.text is None
    assert sticker.sticker.emoji == "🙏" and sticker.sticker.type == "regular"
    assert (location.location.latitude, location.location.longitude) == (33.7, 113.2)
    assert document.document.file_name.endswith(".xlsx")
    assert animation.animation is not None and animation.document is not None
    assert note.video_note.length == 384
    assert len({m.effective_attachment.file_unique_id for m in (voice, document, note)}) == 3
    with pytest.raises(ValueError, match="unknown media"):
        user.send_media("hologram")


async def test_reply_keyboard_buttons_send_their_text(
    app: Application, make_user: Callable[..., FakeUser]
) -> None:
    user = make_user()
    keyboard = ReplyKeyboardMarkup(
        [["出售", "求购"], [KeyboardButton("分享手机号", request_contact=True)]]
    )
    menu = await app.bot.send_message(user.id, "请选择", reply_markup=keyboard)
    assert menu.reply_markup is None  # Telegram does not echo reply keyboards
    shown = await user.next_message()
    assert user.press(shown, "求购") is None
    assert (await user.next_message()).text == "求购"
    with pytest.raises(LookupError, match="share_contact"):
        user.press(shown, "手机号")


async def test_run_application_calls_post_init_and_post_shutdown(fake_api: FakeBotApi) -> None:
    events: list[str] = []

    async def post_init(application: Application) -> None:
        events.append("init")

    async def post_shutdown(application: Application) -> None:
        events.append("shutdown")

    application = build_app(fake_api)
    application.post_init, application.post_shutdown = post_init, post_shutdown
    async with running_application(application):
        assert events == ["init"]
    assert events == ["init", "shutdown"]
    assert [c.method for c in fake_api.calls[:2]] == ["getMe", "deleteWebhook"]


async def test_benchmark_echo_bot_echoes(
    fake_api: FakeBotApi, run_application: RunApplication, make_user: Callable[..., FakeUser]
) -> None:
    await run_application(build_echo_application(TEST_TOKEN, fake_api.base_url))
    user = make_user()
    user.send("鸡蛋 360枚")
    assert (await user.next_message()).text == "鸡蛋 360枚"


# ---------------------------------------------------------------- injected errors


async def test_injected_429_is_retried_by_the_rate_limiter(
    fake_api: FakeBotApi, run_application: RunApplication, make_user: Callable[..., FakeUser]
) -> None:
    await run_application(build_app(fake_api, max_retries=2))
    user = make_user()
    fake_api.inject_error("sendMessage", InjectedError.flood(retry_after=0.1), chat_id=user.id)
    user.send("你好")
    assert (await user.next_message()).text == "你好"
    assert [c.status for c in fake_api.calls_to("sendMessage")] == [429, 200]
    assert len(fake_api.messages_to(user.id)) == 1


async def test_injected_403_surfaces_as_forbidden(bot: Bot, fake_api: FakeBotApi) -> None:
    fake_api.inject_error("sendMessage", InjectedError.blocked(), chat_id=42)
    await bot.send_message(7, "别的用户照常收到")
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(42, "群发")
    await bot.send_message(42, "injection used up")
    assert [c.status for c in fake_api.calls_to("sendMessage")] == [200, 403, 200]
    assert [m.text for m in fake_api.messages_to(42)] == ["injection used up"]
    assert fake_api.failed_calls("sendMessage")[0].injected == InjectedError.blocked()


@pytest.mark.parametrize(
    ("error", "raised"),
    [
        (InjectedError.bad_request(), BadRequest),
        (InjectedError.server_error(500), NetworkError),
        (InjectedError.server_error(502), NetworkError),
        (InjectedError.flood(retry_after=3), RetryAfter),
    ],
)
async def test_injected_errors_map_to_ptb_exceptions(
    bot: Bot, fake_api: FakeBotApi, error: InjectedError, raised: type[Exception]
) -> None:
    fake_api.inject_error("sendMessage", error, times=2)
    for _ in range(2):
        with pytest.raises(raised):
            await bot.send_message(1, "x")
    assert fake_api.sent == []
    await bot.send_message(1, "x")
    assert len(fake_api.sent) == 1


async def test_timeout_injection_is_not_delivered(bot: Bot, fake_api: FakeBotApi) -> None:
    fake_api.inject_error("sendMessage", InjectedError.timeout(0.3))
    with pytest.raises(TimedOut):
        await bot.send_message(1, "慢", read_timeout=0.05)
    call = fake_api.calls_to("sendMessage")[0]
    await fake_api.wait_until(lambda: call.status == 504, timeout=2)
    assert fake_api.sent == []


async def test_timeout_injection_can_still_deliver(bot: Bot, fake_api: FakeBotApi) -> None:
    """The case that makes retries send duplicates: the client gave up, Telegram did not."""
    fake_api.inject_error("sendMessage", InjectedError.timeout(0.2, delivered=True))
    with pytest.raises(TimedOut):
        await bot.send_message(1, "慢", read_timeout=0.05)
    assert (await fake_api.wait_for_message(1, timeout=2)).text == "慢"


async def test_unreadable_answer_injection_delivers_then_spoils_the_answer(
    bot: Bot, fake_api: FakeBotApi
) -> None:
    fake_api.inject_error("sendMessage", InjectedError.unreadable_answer())
    fake_api.inject_error("sendMessage", InjectedError.unreadable_answer(body=b"<html>"))
    with pytest.raises(TypeError):
        await bot.send_message(1, "一")
    with pytest.raises(TelegramError):
        await bot.send_message(1, "二")
    assert [m.text for m in fake_api.sent] == ["一", "二"]
    assert [c.status for c in fake_api.calls_to("sendMessage")] == [200, 200]


# ---------------------------------------------------------------- Telegram limits


async def test_limits_one_message_per_chat_per_second(bot: Bot, fake_api: FakeBotApi) -> None:
    clock = SimulatedClock()
    limits = fake_api.enable_limits(clock)
    await bot.send_message(1, "一")
    clock.advance(0.5)
    with pytest.raises(RetryAfter, match="Retry in 1 seconds"):
        await bot.send_message(1, "二")
    assert fake_api.failed_calls()[0].retry_after == 1
    await bot.send_message(2, "另一个聊天不受影响")
    clock.advance(0.5)
    await bot.send_message(1, "二")
    assert (limits.delivered, limits.rejected) == (3, 1)
    assert limits.per_chat[1] == [0.0, 1.0]
    assert [m.text for m in fake_api.messages_to(1)] == ["一", "二"]


async def test_limits_thirty_messages_per_second_overall(bot: Bot, fake_api: FakeBotApi) -> None:
    clock = SimulatedClock()
    limits = fake_api.enable_limits(clock)
    for chat_id in range(1, 31):
        await bot.send_message(chat_id, "通知")
        clock.advance(0.01)
    with pytest.raises(RetryAfter):
        await bot.send_message(31, "通知")
    clock.advance(0.71)  # the first of the thirty is now a second old
    await bot.send_message(31, "通知")
    assert (limits.delivered, limits.rejected) == (31, 1)


async def test_simulated_clock_sleep_advances_time() -> None:
    clock = SimulatedClock(start=10.0)
    await clock.sleep(2.5)
    assert clock.monotonic() == 12.5
    with pytest.raises(ValueError):
        clock.advance(-1)


# ---------------------------------------------------------------- protocol details


async def test_get_updates_long_poll_returns_early_and_honours_offset_and_limit(
    fake_api: FakeBotApi, http: aiohttp.ClientSession, make_user: Callable[..., FakeUser]
) -> None:
    user = make_user()
    url = api_url(fake_api, "getUpdates")
    asyncio.get_running_loop().call_later(0.05, user.send, "一")
    started = time.monotonic()
    async with http.post(url, data={"timeout": "5"}) as response:
        first = (await response.json())["result"]
    assert time.monotonic() - started < 2
    user.send("二")
    user.send("三")
    async with http.post(url, json={"limit": 2}) as response:
        assert [u["message"]["text"] for u in (await response.json())["result"]] == ["一", "二"]
    async with http.get(url, params={"offset": str(first[0]["update_id"] + 2)}) as response:
        assert [u["message"]["text"] for u in (await response.json())["result"]] == ["三"]
    assert fake_api.pending_updates == 1


async def test_json_and_form_bodies_are_recorded_alike(
    fake_api: FakeBotApi, http: aiohttp.ClientSession
) -> None:
    markup = {"inline_keyboard": [[{"text": "查看", "callback_data": "view:1"}]]}
    url = api_url(fake_api, "sendMessage")
    async with http.post(url, json={"chat_id": 5, "text": "true", "reply_markup": markup}):
        pass
    form = {"chat_id": "5", "text": "true", "reply_markup": '{"inline_keyboard": [[{"text": '
            '"查看", "callback_data": "view:1"}]]}'}  # fmt: skip
    async with http.post(url, data=form):
        pass
    first, second = fake_api.messages_to(5)
    assert first.text == second.text == "true"
    assert first.reply_markup == second.reply_markup == markup
    assert (first.message_id, second.message_id) == (1, 2)


async def test_unknown_method_and_bad_token(
    fake_api: FakeBotApi, http: aiohttp.ClientSession
) -> None:
    async with http.post(api_url(fake_api, "sendTelepathy")) as response:
        assert response.status == 404
        assert await response.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }
    async with http.post(f"{fake_api.base_url}not-a-token/getMe") as response:
        assert response.status == 401
    async with http.post(api_url(fake_api, "getUpdates"), data={"limit": "many"}) as response:
        assert response.status == 400


async def test_documents_and_photos_keep_name_and_bytes(bot: Bot, fake_api: FakeBotApi) -> None:
    sent = await bot.send_document(9, b"PK\x03\x04 table", filename="报价单.xlsx", caption="本周")
    await bot.send_photo(9, b"\x89PNG photo", caption="样品")
    document, photo = fake_api.messages_to(9)
    assert document.file is not None and photo.file is not None
    assert (document.file.filename, document.file.content) == ("报价单.xlsx", b"PK\x03\x04 table")
    assert photo.file.content == b"\x89PNG photo" and photo.caption == "样品"
    assert sent.document and sent.document.file_name == "报价单.xlsx"
    downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"PK\x03\x04 table"
    group = await bot.send_media_group(
        9, [InputMediaPhoto(b"one", caption="甲"), InputMediaPhoto(b"two")]
    )
    assert len(group) == 2
    assert [m.file.content for m in fake_api.messages_to(9)[2:] if m.file] == [b"one", b"two"]


async def test_edits_deletes_and_what_telegram_refuses(bot: Bot, fake_api: FakeBotApi) -> None:
    message = await bot.send_message(3, "<b>白菜</b> 0.8元/斤", parse_mode="HTML")
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text(
            "<b>白菜</b> 0.8元/斤", 3, message.message_id, parse_mode="HTML"
        )
    await bot.edit_message_text("已售出", 3, message.message_id)
    assert fake_api.messages_to(3)[0].text == "已售出"
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(3, "价格<3元", parse_mode="HTML")
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(3, "菜" * 4097)
    await bot.send_message(3, "菜" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        button = InlineKeyboardButton("x", callback_data="x" * 65)
        await bot.send_message(3, "y", reply_markup=InlineKeyboardMarkup([[button]]))
    assert await bot.delete_message(3, message.message_id)
    with pytest.raises(BadRequest, match="not found"):
        await bot.delete_message(3, message.message_id)
    assert len(fake_api.messages_to(3, include_deleted=True)) == 2


async def test_housekeeping_methods(bot: Bot, fake_api: FakeBotApi) -> None:
    await bot.set_my_commands([("start", "开始"), ("post", "发布供求")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "post"]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert await bot.send_chat_action(1, "typing")
    await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.log_out() and await bot.close()
    assert bot.username == "farmdock_test_bot"


async def test_command_menus_resolve_by_scope_as_on_telegram(
    bot: Bot, fake_api: FakeBotApi
) -> None:
    await bot.set_my_commands([("start", "开始")])
    await bot.set_my_commands([("digest", "日报")], scope=BotCommandScopeChat(7))
    assert fake_api.menu(7) == ["digest"]  # the chat's own scope wins
    assert fake_api.menu(8) == ["start"]  # everyone else: the default
    await bot.set_my_commands([("help", "说明")], scope=BotCommandScopeAllPrivateChats())
    assert fake_api.menu(8) == ["help"]
    await bot.set_my_commands([("digest", "日报"), ("help", "说明")],
                              scope=BotCommandScopeChat(7), language_code="zh")
    assert fake_api.menu(7, language_code="zh") == ["digest", "help"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(7))] \
        == ["digest"]
    await bot.delete_my_commands(scope=BotCommandScopeChat(7))
    assert fake_api.menu(7) == ["help"]


async def test_waiting_for_a_message_that_never_comes_says_what_arrived(
    bot: Bot, fake_api: FakeBotApi
) -> None:
    await bot.send_message(4, "第一条")
    with pytest.raises(TimeoutError, match="第一条"):
        await fake_api.wait_for_message(4, lambda m: m.text == "第二条", timeout=0.05)
