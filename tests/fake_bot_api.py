"""An in-process fake of the Telegram Bot API, for end-to-end tests and benchmarks.

The real python-telegram-bot ``Application`` talks HTTP to this server on 127.0.0.1
exactly as it would to Telegram: long-poll ``getUpdates``, ``sendMessage`` and friends.
The server records what the bot sent (with edits applied), lets a test push user
messages and button presses through ``FakeUser``, injects failures (429, 403, 5xx,
timeouts, answers the client cannot read) and can enforce Telegram's broadcast limits
against a pluggable clock.

No pytest imports here: ``benchmarks/`` uses this module too.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import math
import re
import socket
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import aiohttp
from aiohttp import web
from telegram.ext import Application

T = TypeVar("T")
# The run_application fixture: starts an Application, which is stopped at teardown.
RunApplication = Callable[[Application], Awaitable[Application]]
Handler = Callable[["ApiCall", int], Any]  # (call, bot id) -> result, maybe awaitable

# Any token of Telegram's shape is accepted; the part before the colon is the bot's id.
TEST_TOKEN = "123456:TEST-token"
DEFAULT_BOT_USERNAME = "farmdock_test_bot"
DEFAULT_BOT_FIRST_NAME = "农超对接测试"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
# Telegram's own upload ceiling for bots; aiohttp's 1 MB default would reject real exports.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

_TOKEN = re.compile(r"^(\d+):[A-Za-z0-9_-]+$")
# Parameters that are free text (or file references) and must never be JSON-decoded,
# otherwise a message text like "123" or "true" would change type.
_FREE_TEXT_PARAMS = frozenset(
    {
        "text", "caption", "callback_query_id", "inline_message_id", "file_id", "document",
        "photo", "url", "secret_token", "title", "description", "short_description", "name",
        "payload",
    }
)  # fmt: skip
# Methods that put a message into a chat; the limits mode throttles exactly these.
_SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup"})
_HTML_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
        "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji",
    }
)  # fmt: skip
_HTML_TAG = re.compile(r"<(/?)([^\s<>/]*)[^<>]*>")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


# ---------------------------------------------------------------- clocks and limits


class Clock(Protocol):
    """Where the limits mode reads time from."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class MonotonicClock:
    """Real time."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class SimulatedClock:
    """Time that moves only when told to, so a broadcast of hours can be checked in seconds.

    ``sleep`` advances the clock instead of waiting, so code that takes a clock can run
    at full speed while still obeying the limits it would obey in real time.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    def monotonic(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._now += seconds

    async def sleep(self, seconds: float) -> None:
        self.advance(max(seconds, 0.0))
        await asyncio.sleep(0)  # still yield, as a real sleep would


@dataclass
class TelegramLimits:
    """Telegram's broadcast limits: ~30 messages a second overall, one a second per chat.

    ``admit`` is asked once per send call; a refusal becomes a 429 with ``retry_after``.
    """

    clock: Clock = field(default_factory=MonotonicClock)
    messages_per_second: int = 30
    per_chat_interval: float = 1.0
    delivered: int = 0
    rejected: int = 0  # 429s sent because of these limits
    per_chat: dict[int, list[float]] = field(default_factory=dict)
    _window: deque[float] = field(default_factory=deque, repr=False)

    def admit(self, chat_id: int) -> int | None:
        """Record a delivery to ``chat_id`` now, or return the retry_after for a 429."""
        now = self.clock.monotonic()
        while self._window and now - self._window[0] >= 1.0:
            self._window.popleft()
        waits = []
        if len(self._window) >= self.messages_per_second:
            waits.append(self._window[0] + 1.0 - now)
        chat_times = self.per_chat.setdefault(chat_id, [])
        if chat_times and now - chat_times[-1] < self.per_chat_interval:
            waits.append(chat_times[-1] + self.per_chat_interval - now)
        if waits:
            self.rejected += 1
            # Telegram always answers whole seconds, at least one.
            return max(1, math.ceil(max(waits)))
        self._window.append(now)
        chat_times.append(now)
        self.delivered += 1
        return None


# ---------------------------------------------------------------- injected errors


@dataclass(frozen=True, slots=True)
class InjectedError:
    """A failure the server answers with instead of doing the call."""

    status: int
    description: str
    retry_after: float | None = None
    hold: float = 0.0  # seconds to hold the request before answering (real time)
    deliver_after_hold: bool = False
    # With status 200 the call is done and answered, but unreadably: these fields are
    # merged into its result, or ``body`` replaces the JSON answer.
    answer_fields: dict[str, Any] | None = None
    body: bytes | None = None

    @classmethod
    def flood(cls, retry_after: float = 1) -> InjectedError:
        """429 Too Many Requests. Telegram sends whole seconds; a fraction keeps tests fast."""
        return cls(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)

    @classmethod
    def blocked(cls) -> InjectedError:
        """403: the user blocked the bot."""
        return cls(403, "Forbidden: bot was blocked by the user")

    @classmethod
    def bad_request(cls, description: str = "Bad Request: chat not found") -> InjectedError:
        """400 with the given description."""
        return cls(400, description)

    @classmethod
    def server_error(cls, status: int = 500) -> InjectedError:
        """A 5xx, as Telegram's front end sometimes answers."""
        descriptions = {
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
        }
        return cls(status, descriptions.get(status, "Server Error"))

    @classmethod
    def timeout(cls, hold: float, *, delivered: bool = False) -> InjectedError:
        """Hold the request ``hold`` seconds; a client with a shorter read timeout sees TimedOut.

        With ``delivered`` the call then goes through anyway, as when Telegram did send a
        message whose response the bot never saw; otherwise it ends in a 504.
        """
        return cls(504, "Gateway Timeout", hold=hold, deliver_after_hold=delivered)

    @classmethod
    def unreadable_answer(
        cls, fields: dict[str, Any] | None = None, *, body: bytes | None = None
    ) -> InjectedError:
        """HTTP 200 after the call was done (the message is delivered), with an answer the
        client cannot read: ``fields`` merged into the result (by default
        ``{"link_preview_options": "x"}``, which python-telegram-bot fails to decode), or
        ``body`` sent instead of JSON."""
        if fields is None and body is None:
            fields = {"link_preview_options": "x"}
        return cls(200, "OK", answer_fields=fields, body=body)


@dataclass
class Injection:
    """An error queued for the next ``remaining`` calls of ``method`` (to ``chat_id`` if set)."""

    method: str
    error: InjectedError
    remaining: int
    chat_id: int | None = None

    def matches(self, call: ApiCall) -> bool:
        return (
            self.remaining > 0
            and self.method == call.method
            and (self.chat_id is None or self.chat_id == call.chat_id)
        )


# ---------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file the bot sent: uploaded bytes, or a file_id / URL reference (empty content)."""

    file_id: str
    filename: str | None
    content: bytes
    content_type: str | None = None

    @property
    def file_path(self) -> str:
        return f"files/{self.file_id}"


@dataclass(eq=False)
class ApiCall:
    """One request the bot made, successful or not."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    status: int | None = None  # None while the request is still being answered
    description: str | None = None
    retry_after: float | None = None
    injected: InjectedError | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")


@dataclass(eq=False)
class SentMessage:
    """A message the bot sent, in its current state: edits change it in place."""

    chat_id: int
    message_id: int
    method: str
    sender: dict[str, Any]
    date: int
    text: str | None = None
    caption: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    file: UploadedFile | None = None
    media_group_id: str | None = None
    deleted: bool = False
    edit_count: int = 0
    # When it was delivered (time.monotonic), for measuring a broadcast's pace.
    delivered_at: float = 0.0

    @property
    def content(self) -> str:
        """What the user reads: the text, or a media message's caption."""
        return self.text if self.text is not None else self.caption or ""

    def buttons(self) -> list[dict[str, Any]]:
        """Every keyboard button, inline or reply keyboard, row by row."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [{"text": b} if isinstance(b, str) else b for row in rows for b in row]

    def button_texts(self) -> list[str]:
        return [b["text"] for b in self.buttons()]

    def find_button(self, text_contains: str) -> dict[str, Any]:
        """The one button whose text contains ``text_contains`` (an exact match wins)."""
        found = [b for b in self.buttons() if text_contains in b["text"]]
        exact = [b for b in found if b["text"] == text_contains]
        if len(exact) == 1:
            return exact[0]
        if len(found) != 1:
            raise LookupError(
                f"{len(found)} buttons contain {text_contains!r}; buttons: {self.button_texts()}"
            )
        return found[0]

    def to_api(self) -> dict[str, Any]:
        """The Telegram Message object for this message."""
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": _chat(self.chat_id),
            "from": self.sender,
        }
        if self.text is not None:
            message["text"] = self.text
        if self.caption is not None:
            message["caption"] = self.caption
        # Telegram echoes only inline keyboards back; reply keyboards live on the client.
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            message["reply_markup"] = self.reply_markup
        if self.media_group_id is not None:
            message["media_group_id"] = self.media_group_id
        if self.file is not None:
            file_info = {
                "file_id": self.file.file_id,
                "file_unique_id": f"u{self.file.file_id}",
                "file_size": len(self.file.content),
            }
            if self.method == "sendPhoto":
                message["photo"] = [{**file_info, "width": 320, "height": 320}]
            else:
                message["document"] = {
                    **file_info,
                    "file_name": self.file.filename,
                    "mime_type": self.file.content_type,
                }
        return message


class _ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: float | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


class _Signal:
    """Wakes every coroutine waiting for the next change; ``notify`` is sync so tests can
    push updates without awaiting."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait(self, seconds: float) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, seconds)
        finally:
            self._waiters.discard(waiter)


# ---------------------------------------------------------------- the server


class FakeBotApi:
    """The fake Bot API server. Use as ``async with FakeBotApi() as server: ...``."""

    def __init__(
        self,
        *,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = DEFAULT_BOT_FIRST_NAME,
        limits: TelegramLimits | None = None,
    ) -> None:
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.limits = limits
        self.calls: list[ApiCall] = []
        self.sent: list[SentMessage] = []  # delivered messages, in delivery order
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook_url = ""
        self.port = 0
        self._by_chat: dict[int, list[SentMessage]] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._updates: list[dict[str, Any]] = []  # pushed and not yet confirmed by an offset
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._user_ids = itertools.count(100_000_001)
        self._files: dict[str, UploadedFile] = {}
        self._open_queries: set[str] = set()
        self._injections: list[Injection] = []
        self._updates_pushed = _Signal()
        self._changed = _Signal()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        # Webhook delivery (see deliver_by_webhook): where, with what secret, and the
        # deliveries under way.
        self._hooks: list[str] = []
        self._hook_secret: str | None = None
        self._next_hook = itertools.count()
        self._deliveries: set[asyncio.Task[None]] = set()
        self.webhook_attempts: list[tuple[int, str, int | None]] = []
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "sendMessage": self._send_message,
                "sendDocument": self._send_document,
                "sendPhoto": self._send_photo,
                "sendMediaGroup": self._send_media_group,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": _true,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "getFile": self._get_file,
                "close": _true,
                "logOut": _true,
            }.items()
        }

    # ------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``; PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/files/{file_id}", self._download)
        # Bind the socket ourselves to learn the random port without aiohttp internals.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        self._closing.set()  # releases held long polls and injected timeouts at once
        for task in list(self._deliveries):
            task.cancel()
        self._updates_pushed.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------ test controls

    def enable_limits(self, clock: Clock | None = None, **limits: Any) -> TelegramLimits:
        """Start enforcing Telegram's broadcast limits; returns the counters."""
        self.limits = TelegramLimits(clock=clock or MonotonicClock(), **limits)
        return self.limits

    def inject_error(
        self, method: str, error: InjectedError, *, times: int = 1, chat_id: int | None = None
    ) -> Injection:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id`` only, if given) with
        ``error``."""
        injection = Injection(method, error, times, chat_id)
        self._injections.append(injection)
        return injection

    def user(
        self,
        first_name: str | None = None,
        *,
        user_id: int | None = None,
        username: str | None = None,
        language_code: str = "zh-hans",
    ) -> FakeUser:
        """A new user in a private chat with the bot (chat id == user id)."""
        user_id = user_id if user_id is not None else next(self._user_ids)
        return FakeUser(
            self,
            user_id=user_id,
            first_name=first_name or f"用户{user_id % 1000}",
            username=username,
            language_code=language_code,
        )

    def new_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """An update with the next update id, not queued: for posting to a webhook."""
        return {"update_id": next(self._update_ids), kind: payload}

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (``kind`` is e.g. "message" or "callback_query") for getUpdates,
        or, after :meth:`deliver_by_webhook`, post it to the webhooks."""
        update = self.new_update(kind, payload)
        if self._hooks:
            task = asyncio.get_running_loop().create_task(self._call_webhook(update))
            self._deliveries.add(task)
            task.add_done_callback(self._deliveries.discard)
            return update
        self._updates.append(update)
        self._updates_pushed.notify()
        self._changed.notify()
        return update

    @property
    def webhook_calls_open(self) -> int:
        """Updates posted to a webhook that have not had their 200 yet."""
        return len(self._deliveries)

    def deliver_by_webhook(
        self, urls: list[str], secret: str | None, *, retry_every: float = 0.5
    ) -> None:
        """From now on each pushed update is POSTed to one of ``urls`` in turn, as Telegram
        calls a webhook (``secret`` in its header); a call that does not get a 200 is made
        again, to the next URL, every ``retry_every`` seconds until one does."""
        self._hooks = list(urls)
        self._hook_secret = secret
        self._retry_every = retry_every

    async def _call_webhook(self, update: dict[str, Any]) -> None:
        headers = ({"X-Telegram-Bot-Api-Secret-Token": self._hook_secret}
                   if self._hook_secret else {})
        async with aiohttp.ClientSession() as session:
            while not self._closing.is_set():
                url = self._hooks[next(self._next_hook) % len(self._hooks)]
                status: int | None = None
                try:
                    async with session.post(url, json=update, headers=headers) as response:
                        status = response.status
                except (aiohttp.ClientError, OSError):
                    status = None
                self.webhook_attempts.append((update["update_id"], url, status))
                if status == 200:
                    return
                await asyncio.sleep(self._retry_every)

    def push_callback_query(
        self, from_user: dict[str, Any], message: SentMessage, data: str
    ) -> str:
        """Queue a button press on ``message``; returns the callback query id."""
        query_id = str(next(self._callback_ids))
        self._open_queries.add(query_id)
        self.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": from_user,
                "message": message.to_api(),
                "chat_instance": str(message.chat_id),
                "data": data,
            },
        )
        return query_id

    def user_file(self) -> dict[str, str]:
        """Identifiers of a file a user sent (never downloaded by the bot in these tests)."""
        number = next(self._file_ids)
        return {"file_id": f"AgAD-user-{number}", "file_unique_id": f"AQAD{number}"}

    def next_message_id(self, chat_id: int) -> int:
        """Message ids are per chat and shared by the user's and the bot's messages."""
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    # ------------------------------------------------------------ observation

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    def messages_to(self, chat_id: int, *, include_deleted: bool = False) -> list[SentMessage]:
        """The bot's messages in a chat, oldest first, as they currently stand."""
        messages = self._by_chat.get(chat_id, [])
        return list(messages) if include_deleted else [m for m in messages if not m.deleted]

    def menu(self, chat_id: int, *, language_code: str = "zh-hans") -> list[str]:
        """The commands a user's client shows in their private chat, resolved as Telegram
        does: the chat's own scope, then all private chats, then the default, each first
        for the user's language and then for all languages."""
        scopes = [{"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"},
                  {"type": "default"}]
        for scope in scopes:
            for language in (language_code, ""):
                commands = self.commands.get((json.dumps(scope, sort_keys=True), language))
                if commands:  # an empty list is no menu, as on Telegram
                    return [c["command"] for c in commands]
        return []

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    def failed_calls(self, method: str | None = None) -> list[ApiCall]:
        return [
            c
            for c in self.calls
            if c.status is not None and not c.ok and (method is None or c.method == method)
        ]

    async def wait_until(
        self,
        condition: Callable[[], T | None],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the test, not a cancel scope
        what: str = "condition",
    ) -> T:
        """Re-check ``condition`` after every server event until it returns something truthy."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (result := condition()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            await self._changed.wait(remaining)
        return result

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SentMessage:
        """The first message in the chat (already there or still to come, edits included)
        that satisfies ``predicate``."""

        def find() -> SentMessage | None:
            return next(
                (m for m in self.messages_to(chat_id) if predicate is None or predicate(m)), None
            )

        try:
            return await self.wait_until(find, timeout=timeout, what=f"a message to {chat_id}")
        except TimeoutError as exc:
            seen = [m.content for m in self.messages_to(chat_id)]
            raise TimeoutError(f"{exc}; the chat holds {seen}") from None

    async def wait_for_callback_answer(
        self,
        query_id: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """The parameters of the bot's answerCallbackQuery for ``query_id``."""
        return await self.wait_until(
            lambda: self.callback_answers.get(query_id),
            timeout=timeout,
            what=f"an answer to callback query {query_id}",
        )

    # ------------------------------------------------------------ HTTP plumbing

    async def _handle(self, request: web.Request) -> web.Response:
        if not (token := _TOKEN.match(request.match_info["token"])):
            return _error_response(401, "Unauthorized")
        params, files = await _read_params(request)
        requested = request.match_info["method"]
        name, handler = self._methods.get(requested.lower(), (requested, None))
        call = ApiCall(name, params, files)
        self.calls.append(call)
        try:
            result = await self._answer(call, handler, bot_id=int(token.group(1)))
        except _ApiError as err:
            call.status = err.status
            call.description = err.description
            call.retry_after = err.retry_after
            return _error_response(err.status, err.description, err.retry_after)
        finally:
            self._changed.notify()
        call.status = 200
        if call.injected is not None and call.injected.body is not None:
            return web.Response(body=call.injected.body, content_type="text/html")
        return web.json_response({"ok": True, "result": result})

    async def _answer(self, call: ApiCall, handler: Handler | None, bot_id: int) -> Any:
        if handler is None:
            raise _ApiError(404, "Not Found: method not found")
        await self._apply_injection(call)
        self._apply_limits(call)
        try:
            result = handler(call, bot_id)
            result = await result if asyncio.iscoroutine(result) else result
        except (TypeError, ValueError) as exc:  # malformed parameters
            raise _ApiError(400, f"Bad Request: {exc}") from exc
        fields = call.injected.answer_fields if call.injected is not None else None
        return {**result, **fields} if fields and isinstance(result, dict) else result

    async def _download(self, request: web.Request) -> web.Response:
        uploaded = self._files.get(request.match_info["file_id"])
        if uploaded is None:
            return _error_response(404, "Not Found")
        return web.Response(body=uploaded.content)

    async def _apply_injection(self, call: ApiCall) -> None:
        injection = next((i for i in self._injections if i.matches(call)), None)
        if injection is None:
            return
        injection.remaining -= 1
        if injection.remaining == 0:
            self._injections.remove(injection)
        error = call.injected = injection.error
        if error.status == 200:
            return  # the call goes through; its answer is spoilt afterwards
        if error.hold:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), error.hold)
            if error.deliver_after_hold and not self._closing.is_set():
                return
        raise _ApiError(error.status, error.description, error.retry_after)

    def _apply_limits(self, call: ApiCall) -> None:
        if self.limits is None or call.method not in _SEND_METHODS:
            return
        if (retry_after := self.limits.admit(call.chat_id)) is not None:
            raise _ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    # ------------------------------------------------------------ methods

    def _get_me(self, call: ApiCall, bot_id: int) -> dict[str, Any]:
        return {
            **self._bot_user(bot_id),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _get_updates(self, call: ApiCall, bot_id: int) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(call.params.get("offset") or 0)
        limit = min(max(int(call.params.get("limit") or 100), 1), 100)
        timeout = float(call.params.get("timeout") or 0)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._updates and not self._closing.is_set():
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await self._updates_pushed.wait(remaining)
        return self._updates[:limit]

    def _send_message(self, call: ApiCall, bot_id: int) -> dict[str, Any]:
        text = call.params.get("text")
        if not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        _check_text(text, call.params.get("parse_mode"), MAX_TEXT_LENGTH, "message is too long")
        return self._deliver(call, bot_id, text=text).to_api()

    def _send_document(self, call: ApiCall, bot_id: int) -> dict[str, Any]:
        return self._deliver_file(call, bot_id, "document").to_api()

    def _send_photo(self, call: ApiCall, bot_id: int) -> dict[str, Any]:
        return self._deliver_file(call, bot_id, "photo").to_api()

    def _send_media_group(self, call: ApiCall, bot_id: int) -> list[dict[str, Any]]:
        media = call.params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _ApiError(400, "Bad Request: wrong number of media in the group")
        group_id = str(next(self._file_ids))
        messages = []
        for item in media:
            caption = item.get("caption")
            if caption:
                _check_text(
                    caption,
                    item.get("parse_mode"),
                    MAX_CAPTION_LENGTH,
                    "message caption is too long",
                )
            uploaded = self._resolve_file(call, item.get("media"), item.get("type"))
            method = "sendPhoto" if item.get("type") == "photo" else "sendDocument"
            messages.append(
                self._deliver(
                    call,
                    bot_id,
                    caption=caption,
                    parse_mode=item.get("parse_mode"),
                    file=uploaded,
                    method=method,
                    media_group_id=group_id,
                )
            )
        return [m.to_api() for m in messages]

    def _edit_message_text(self, call: ApiCall, bot_id: int) -> dict[str, Any] | bool:
        text = call.params.get("text")
        if not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        parse_mode = call.params.get("parse_mode")
        _check_text(text, parse_mode, MAX_TEXT_LENGTH, "message is too long")
        return self._edit(call, text=text, parse_mode=parse_mode)

    def _edit_message_caption(self, call: ApiCall, bot_id: int) -> dict[str, Any] | bool:
        caption = call.params.get("caption")
        parse_mode = call.params.get("parse_mode")
        if caption:
            _check_text(caption, parse_mode, MAX_CAPTION_LENGTH, "message caption is too long")
        return self._edit(call, caption=caption, parse_mode=parse_mode)

    def _edit_message_reply_markup(self, call: ApiCall, bot_id: int) -> dict[str, Any] | bool:
        return self._edit(call)

    def _delete_message(self, call: ApiCall, bot_id: int) -> bool:
        message = self._find_message(call)
        if message is None:
            raise _ApiError(400, "Bad Request: message to delete not found")
        message.deleted = True
        return True

    def _answer_callback_query(self, call: ApiCall, bot_id: int) -> bool:
        query_id = str(call.params.get("callback_query_id"))
        if query_id not in self._open_queries:
            raise _ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._open_queries.discard(query_id)
        self.callback_answers[query_id] = call.params
        return True

    def _set_my_commands(self, call: ApiCall, bot_id: int) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        self.commands[_commands_key(call)] = commands
        return True

    def _get_my_commands(self, call: ApiCall, bot_id: int) -> list[dict[str, Any]]:
        return self.commands.get(_commands_key(call), [])

    def _delete_my_commands(self, call: ApiCall, bot_id: int) -> bool:
        self.commands.pop(_commands_key(call), None)
        return True

    def _set_webhook(self, call: ApiCall, bot_id: int) -> bool:
        self.webhook_url = str(call.params.get("url") or "")
        return True

    def _delete_webhook(self, call: ApiCall, bot_id: int) -> bool:
        self.webhook_url = ""
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_webhook_info(self, call: ApiCall, bot_id: int) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _get_file(self, call: ApiCall, bot_id: int) -> dict[str, Any]:
        uploaded = self._files.get(str(call.params.get("file_id")))
        if uploaded is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": uploaded.file_id,
            "file_unique_id": f"u{uploaded.file_id}",
            "file_size": len(uploaded.content),
            "file_path": uploaded.file_path,
        }

    # ------------------------------------------------------------ helpers

    def _bot_user(self, bot_id: int) -> dict[str, Any]:
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _deliver(self, call: ApiCall, bot_id: int, **content: Any) -> SentMessage:
        chat_id = call.chat_id
        if not isinstance(chat_id, int):
            raise _ApiError(400, "Bad Request: chat not found")
        reply_markup = call.params.get("reply_markup")
        _check_reply_markup(reply_markup)
        content.setdefault("method", call.method)
        content.setdefault("parse_mode", call.params.get("parse_mode"))
        message = SentMessage(
            chat_id=chat_id,
            message_id=self.next_message_id(chat_id),
            sender=self._bot_user(bot_id),
            date=int(time.time()),
            reply_markup=reply_markup,
            delivered_at=time.monotonic(),
            **content,
        )
        self.sent.append(message)
        self._by_chat.setdefault(chat_id, []).append(message)
        return message

    def _deliver_file(self, call: ApiCall, bot_id: int, kind: str) -> SentMessage:
        caption = call.params.get("caption")
        if caption:
            _check_text(
                caption,
                call.params.get("parse_mode"),
                MAX_CAPTION_LENGTH,
                "message caption is too long",
            )
        uploaded = call.files.get(kind) or self._resolve_file(call, call.params.get(kind), kind)
        return self._deliver(call, bot_id, caption=caption, file=self._store_file(uploaded))

    def _resolve_file(self, call: ApiCall, reference: Any, kind: Any) -> UploadedFile:
        """A file given as an upload (``attach://name``), a known file_id or a URL."""
        if not isinstance(reference, str) or not reference:
            raise _ApiError(400, f"Bad Request: there is no {kind} in the request")
        if reference.startswith("attach://"):
            uploaded = call.files.get(reference.removeprefix("attach://"))
            if uploaded is None:
                raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            return self._store_file(uploaded)
        return self._files.get(reference) or UploadedFile(reference, None, b"")

    def _store_file(self, uploaded: UploadedFile) -> UploadedFile:
        """Give an upload its own file_id so the bot can re-send or download it."""
        if uploaded.file_id in self._files:
            return uploaded
        stored = UploadedFile(
            f"file{next(self._file_ids)}",
            uploaded.filename,
            uploaded.content,
            uploaded.content_type,
        )
        self._files[stored.file_id] = stored
        return stored

    def _find_message(self, call: ApiCall) -> SentMessage | None:
        message_id = call.params.get("message_id")
        return next(
            (
                m
                for m in self._by_chat.get(call.chat_id, [])
                if m.message_id == message_id and not m.deleted
            ),
            None,
        )

    def _edit(self, call: ApiCall, **changes: Any) -> dict[str, Any] | bool:
        """Apply an edit in place. As on Telegram, an edit without ``reply_markup`` removes
        the inline keyboard, and an edit that changes nothing is an error."""
        if "inline_message_id" in call.params:
            return True  # inline-mode messages are not tracked
        message = self._find_message(call)
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if "text" in changes and message.text is None:
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        changes["reply_markup"] = call.params.get("reply_markup")
        _check_reply_markup(changes["reply_markup"])
        if all(getattr(message, key) == value for key, value in changes.items()):
            raise _ApiError(400, _NOT_MODIFIED)
        for key, value in changes.items():
            setattr(message, key, value)
        message.edit_count += 1
        return message.to_api()


def _true(call: ApiCall, bot_id: int) -> bool:
    return True


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private"}
    # Supergroup ids are -100 followed by the group's own id.
    return {"id": chat_id, "type": "supergroup" if chat_id < -1_000_000_000_000 else "group"}


def _commands_key(call: ApiCall) -> tuple[str, str]:
    scope = call.params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(call.params.get("language_code") or "")


def _error_response(
    status: int, description: str, retry_after: float | None = None
) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Parameters from the query string and a form-encoded, multipart or JSON body.

    PTB form-encodes non-string values as JSON (``reply_markup`` arrives as a string),
    so every value except free text is JSON-decoded when it parses.
    """
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json" and request.can_read_body:
        raw.update(await request.json())
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[name] = UploadedFile(
                    name, value.filename, value.file.read(), value.content_type
                )
            else:
                raw[name] = value
    return {name: _decode(name, value) for name, value in raw.items()}, files


def _decode(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in _FREE_TEXT_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _check_text(text: str, parse_mode: str | None, max_length: int, too_long: str) -> None:
    """Reject what Telegram would: bad HTML markup, text over the length limit."""
    visible = text
    if parse_mode and parse_mode.upper() == "HTML":
        if problem := _html_problem(text):
            raise _ApiError(400, f"Bad Request: can't parse entities: {problem}")
        visible = html.unescape(_HTML_TAG.sub("", text))
    # Telegram counts UTF-16 code units.
    if len(visible.encode("utf-16-le")) // 2 > max_length:
        raise _ApiError(400, f"Bad Request: {too_long}")


def _html_problem(text: str) -> str | None:
    """Why Telegram's HTML parser would refuse ``text``, or None. Catches unescaped ``<``
    in user-supplied text and unbalanced tags; it is not a full parser."""
    open_tags: list[str] = []
    position = 0
    while (start := text.find("<", position)) != -1:
        offset = len(text[:start].encode())
        tag = _HTML_TAG.match(text, start)
        if tag is None:
            return f"Unclosed start tag at byte offset {offset}"
        closing, name = tag.group(1), tag.group(2).lower()
        if name not in _HTML_TAGS:
            kind = "end" if closing else "start"
            return f'Unsupported {kind} tag "{name}" at byte offset {offset}'
        if not closing:
            open_tags.append(name)
        elif not open_tags or open_tags.pop() != name:
            return f'Unmatched end tag at byte offset {offset}, expected "</{name}>"'
        position = tag.end()
    if open_tags:
        return f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"'
    return None


def _check_reply_markup(markup: Any) -> None:
    if not isinstance(markup, dict):
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if len(button) < 2:
                raise _ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )


# ---------------------------------------------------------------- users


class FakeUser:
    """A Telegram user in a private chat with the bot: sends text, presses buttons,
    shares a contact, and reads the bot's replies."""

    def __init__(
        self,
        server: FakeBotApi,
        *,
        user_id: int,
        first_name: str,
        username: str | None = None,
        language_code: str = "zh-hans",
    ) -> None:
        self.server = server
        self.id = user_id
        self.first_name = first_name
        self.username = username
        self.language_code = language_code
        self._read = 0  # how many bot messages next_message has handed out
        # How long next_message waits by default: longer where a test kills workers.
        self.patience = 5.0

    @property
    def chat_id(self) -> int:
        return self.id

    def as_api_user(self) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.username:
            user["username"] = self.username
        return user

    def send(self, text: str) -> dict[str, Any]:
        """Send a text message; a leading ``/command`` carries the bot_command entity that
        PTB's CommandHandler needs. Returns the Telegram message."""
        return self._push(self.text_message(text))

    def text_message(self, text: str) -> dict[str, Any]:
        """The Telegram message ``send`` would send, without queuing it (for a webhook)."""
        extra: dict[str, Any] = {}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            extra["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        return self._new_message(text=text, **extra)

    def start(self, payload: str | None = None) -> dict[str, Any]:
        """``/start`` as sent by a deep link ``t.me/<bot>?start=<payload>``."""
        return self.send(f"/start {payload}" if payload else "/start")

    def share_contact(self, phone: str, *, own: bool = True) -> dict[str, Any]:
        """Share a phone number. ``own`` is the share-contact button (the contact carries
        this user's id); otherwise it is a card from the address book, with no user id."""
        contact: dict[str, Any] = {"phone_number": phone, "first_name": self.first_name}
        if own:
            contact["user_id"] = self.id
        return self._push(self._new_message(contact=contact))

    def send_voice(self, duration: int = 4) -> dict[str, Any]:
        """A voice message, as an older grower holding the microphone button sends it."""
        return self.send_media("voice", duration=duration)

    def send_photo(self, caption: str | None = None) -> dict[str, Any]:
        """A photo (Telegram delivers it in three sizes), optionally with a caption."""
        return self.send_media("photo", caption=caption)

    def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        return self.send_media("sticker", emoji=emoji)

    def send_location(self, latitude: float = 33.87, longitude: float = 113.03) -> dict[str, Any]:
        """The attachment menu's location (default: near 宝丰县)."""
        return self._push(self._new_message(
            location={"latitude": latitude, "longitude": longitude}
        ))

    def send_media(self, kind: str, *, caption: str | None = None, **fields: Any) -> dict[str, Any]:
        """A message of ``kind`` (voice, audio, video_note, video, animation, photo,
        document, sticker) shaped as Telegram sends it; ``fields`` override the defaults."""
        file = self.server.user_file()
        shapes: dict[str, Any] = {
            "voice": {**file, "duration": 4, "mime_type": "audio/ogg", "file_size": 7_342},
            "audio": {**file, "duration": 95, "mime_type": "audio/mpeg", "file_size": 1_520_003,
                      "title": "录音", "file_name": "录音.mp3"},
            "video_note": {**file, "length": 384, "duration": 6, "file_size": 402_115},
            "video": {**file, "width": 1280, "height": 720, "duration": 9,
                      "mime_type": "video/mp4", "file_size": 2_811_422},
            "animation": {**file, "width": 320, "height": 240, "duration": 2,
                          "mime_type": "video/mp4", "file_name": "ok.mp4", "file_size": 98_004},
            "document": {**file, "file_name": "报价单.xlsx", "file_size": 10_240,
                         "mime_type": "application/vnd.openxmlformats-officedocument"
                                      ".spreadsheetml.sheet"},
            "sticker": {**file, "type": "regular", "width": 512, "height": 512,
                        "is_animated": False, "is_video": False, "emoji": "👍",
                        "set_name": "FarmAnimals", "file_size": 23_101},
        }
        if kind == "photo":
            content: dict[str, Any] = {"photo": [
                {**self.server.user_file(), "width": w, "height": h, "file_size": w * h // 8}
                for w, h in ((90, 67), (320, 240), (1280, 960))
            ]}
        elif kind in shapes:
            content = {kind: {**shapes[kind], **fields}}
            if kind == "animation":  # Telegram sends a GIF as both
                content["document"] = {k: v for k, v in content[kind].items()
                                       if k not in ("width", "height", "duration")}
        else:
            raise ValueError(f"unknown media kind {kind!r}")
        if caption is not None:
            content["caption"] = caption
        return self._push(self._new_message(**content))

    def press(self, message: SentMessage, button_text_contains: str) -> str | None:
        """Press a button on a bot message as it currently stands.

        An inline button sends a callback query (its id is returned for
        ``server.wait_for_callback_answer``); a reply-keyboard button sends its text.
        """
        if message.deleted:
            raise LookupError("the message was deleted")
        button = message.find_button(button_text_contains)
        if "callback_data" in button:
            return self.press_data(button["callback_data"], message)
        if button.get("request_contact"):
            raise LookupError("a share-contact button: use share_contact(phone)")
        if len(button) > 1:
            raise LookupError(f"button {button['text']!r} is not pressable here: {button}")
        self.send(button["text"])
        return None

    def press_data(self, data: str, message: SentMessage | None = None) -> str:
        """Send a callback query with arbitrary (possibly forged) data, attached to
        ``message`` or else to the bot's latest message in this chat."""
        if message is None:
            if not (messages := self.messages):
                raise LookupError("no bot message to attach the callback query to")
            message = messages[-1]
        return self.server.push_callback_query(self.as_api_user(), message, data)

    @property
    def messages(self) -> list[SentMessage]:
        """The bot's messages to this user as they currently stand."""
        return self.server.messages_to(self.id)

    async def next_message(
        self,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> SentMessage:
        """The next bot message this user has not read yet (skipping ones that fail
        ``predicate``); waits for it if need be (``patience`` seconds by default)."""

        def find() -> SentMessage | None:
            messages = self.server.messages_to(self.id, include_deleted=True)
            for index in range(self._read, len(messages)):
                if predicate is None or predicate(messages[index]):
                    self._read = index + 1
                    return messages[index]
            return None

        try:
            return await self.server.wait_until(
                find, timeout=self.patience if timeout is None else timeout,
                what=f"a new message to {self.first_name}",
            )
        except TimeoutError as exc:
            unread = [m.content for m in self.server.messages_to(self.id)[self._read :]]
            raise TimeoutError(f"{exc}; unread: {unread}") from None

    def _new_message(self, **content: Any) -> dict[str, Any]:
        return {
            "message_id": self.server.next_message_id(self.id),
            "date": int(time.time()),
            "chat": {**_chat(self.id), "first_name": self.first_name},
            "from": self.as_api_user(),
            **content,
        }

    def _push(self, message: dict[str, Any]) -> dict[str, Any]:
        self.server.push_update("message", message)
        return message


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------- running a PTB application


@contextlib.asynccontextmanager
async def running_application(
    application: Application, *, poll_timeout: float = 1.0
) -> AsyncIterator[Application]:
    """Run ``application`` with long polling, in the order ``run_polling`` uses (post_init,
    post_stop and post_shutdown included), and always stop and shut it down.

    A short ``poll_timeout`` keeps shutdown fast: pushed updates end a long poll at once.
    """
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        if application.updater is None:
            raise ValueError("the application was built without an updater")
        await application.updater.start_polling(poll_interval=0, timeout=poll_timeout)
        await application.start()
        yield application
    finally:
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
            if application.post_stop:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
