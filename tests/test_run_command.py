"""``farmdock run`` as an operator starts it: a real process against the fake Bot API."""

import asyncio
import os
import re
import signal
import socket
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.services.messages import Message, outgoing
from storage.database import Database
from tests.backends import settings_env
from tests.fake_bot_api import FakeBotApi, FakeUser, InjectedError
from tests.proxies import HttpProxy, Socks5Proxy
from tests.stores import each

TOKEN = "123456:TEST-token"
# Telegram calls the public https URL; a reverse proxy passes the path on to the bot.
PUBLIC_WEBHOOK_URL = "https://example.invalid/farmdock-hook"
WEBHOOK_SECRET = "hook-secret_0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def start_bot(
    fake_api: FakeBotApi, db: Path | str, **settings: str
) -> asyncio.subprocess.Process:
    """``farmdock run`` in a fresh process on ``db`` (a SQLite file or a PostgreSQL URL);
    ``settings`` are more FARMDOCK_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FARMDOCK_")}
    env.update(FARMDOCK_TOKEN=TOKEN, FARMDOCK_API_BASE_URL=fake_api.base_url,
               FARMDOCK_LOG_LEVEL="WARNING", **settings_env(str(db)))
    env.update({f"FARMDOCK_{name}": value for name, value in settings.items()})
    folder = Path(db).parent if not str(db).startswith("postgresql") else Path.cwd()
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=folder,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def stop_bot(process: asyncio.subprocess.Process, stop_signal: int) -> bytes:
    """Signal the bot and wait for it to end; returns what it wrote to stderr."""
    process.send_signal(stop_signal)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    return stderr


def assert_stopped_cleanly(
    process: asyncio.subprocess.Process, stderr: bytes, db: Path | str
) -> None:
    assert process.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
    if not str(db).startswith("postgresql"):
        # SQLite removes the WAL file only when the last connection closes cleanly.
        assert Path(db).exists() and not Path(f"{db}-wal").exists()


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
async def test_run_answers_start_and_stops_cleanly_on_signal(
    fake_api: FakeBotApi, make_user: type[FakeUser], database_target: str, stop_signal: int
) -> None:
    db = database_target
    process = await start_bot(fake_api, db)
    try:
        await fake_api.wait_until(lambda: bool(fake_api.calls_to("getUpdates")), timeout=30)
        user = make_user("王师傅")
        user.send("/start")
        reply = await user.next_message(timeout=15)
        assert reply.text
        stderr = await stop_bot(process, stop_signal)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert_stopped_cleanly(process, stderr, db)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def post_update(
    session: aiohttp.ClientSession, url: str, update: dict[str, Any], secret: str | None,
    *, within: float = 30.0,
) -> int:
    """POST an update as Telegram would; retries only while nothing listens yet."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        try:
            async with session.post(url, json=update, headers=headers) as response:
                return response.status
        except aiohttp.ClientConnectorError:
            # The bot sets its webhook with Telegram before it starts listening.
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.05)


async def test_run_with_a_webhook_answers_updates_that_carry_the_secret(
    fake_api: FakeBotApi, make_user: type[FakeUser], database_target: str
) -> None:
    db = database_target
    port = free_port()
    process = await start_bot(
        fake_api, db, WEBHOOK_URL=PUBLIC_WEBHOOK_URL, WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port), WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    local_url = f"http://127.0.0.1:{port}/farmdock-hook"
    try:
        [set_webhook] = await fake_api.wait_until(
            lambda: fake_api.calls_to("setWebhook", ok=True), timeout=30, what="setWebhook"
        )
        assert set_webhook.params["url"] == PUBLIC_WEBHOOK_URL
        assert set_webhook.params["secret_token"] == WEBHOOK_SECRET
        assert not fake_api.calls_to("getUpdates")

        user = make_user("王师傅")
        async with aiohttp.ClientSession() as session:
            forged = fake_api.new_update("message", user.text_message("/help"))
            assert await post_update(session, local_url, forged, "wrong-secret") == 403
            assert await post_update(session, local_url, forged, None) == 403
            update = fake_api.new_update("message", user.text_message("/start"))
            assert await post_update(session, local_url, update, WEBHOOK_SECRET) == 200
        # One user's updates are handled in order: had /help got through, its answer
        # would come first.
        reply = await user.next_message(timeout=15)
        assert reply.find_button("供应方")
        assert len(user.messages) == 1
        stderr = await stop_bot(process, signal.SIGTERM)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert_stopped_cleanly(process, stderr, db)


async def test_run_with_a_damaged_database_stops_with_one_line(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    db = tmp_path / "city.db"
    db.write_text("garbage\n")
    process = await start_bot(fake_api, db)
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1, stderr.decode()
    assert lines[0].startswith("farmdock: ") and "not a database" in lines[0]


async def test_after_a_kill_9_a_new_run_sends_the_dead_workers_rows_within_5_s(
    fake_api: FakeBotApi, database_target: str
) -> None:
    db = database_target
    chats = range(1, 301)
    async with await Database.open(db) as database:
        await each(database).outbox.enqueue([
            outgoing(f"2026-05-09|{chat}|digest", chat, "digest", Message(f"日报 {chat}"))
            for chat in chats
        ])
    first = await start_bot(fake_api, db)
    try:
        await fake_api.wait_until(lambda: len(fake_api.sent) >= 20, timeout=30)
    finally:
        first.kill()  # SIGKILL: no clean stop gives its claims back
        await first.wait()
    async with await Database.open(db) as database:
        held = {m.chat_id for m in await each(database).outbox.rows()
                if m.status == "pending" and m.claimed_by is not None}
    assert held, "the killed worker held no rows"
    before = len(fake_api.sent)
    remaining = len(chats) - before

    loop = asyncio.get_running_loop()
    started = loop.time()
    second = await start_bot(fake_api, db)
    try:
        await fake_api.wait_until(
            lambda: any(m.chat_id in held for m in fake_api.sent[before:]), timeout=70,
            what="a row the killed worker held",
        )
        first_held_after = loop.time() - started
        await fake_api.wait_until(
            lambda: {m.chat_id for m in fake_api.sent} == set(chats), timeout=70,
            what="every row",
        )
        all_after = loop.time() - started
        stderr = await stop_bot(second, signal.SIGTERM)
    finally:
        if second.returncode is None:
            second.kill()
            await second.wait()
    assert_stopped_cleanly(second, stderr, db)
    assert first_held_after <= 5.0, f"the dead worker's rows waited {first_held_after:.1f} s"
    # At 30 messages a second the rest needs remaining / 30 s, plus the start-up; the
    # dead worker's claims must not hold the rest up beyond that.
    assert all_after <= remaining / 30 + 10.0, f"{remaining} rows took {all_after:.1f} s"
    received = Counter(m.chat_id for m in fake_api.sent)
    assert sum(n - 1 for n in received.values()) <= 1  # only the message in flight repeats


async def test_run_without_telegram_logs_one_line_per_try_until_stopped(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    port = free_port()  # nothing listens there
    nobody = f"http://127.0.0.1:{port}/bot"
    db = tmp_path / "city.db"
    process = await start_bot(fake_api, db, API_BASE_URL=nobody)
    assert process.stderr is not None
    try:
        first = [await asyncio.wait_for(process.stderr.readline(), timeout=20) for _ in range(3)]
        stderr = b"".join(first) + await stop_bot(process, signal.SIGTERM)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert_stopped_cleanly(process, stderr, db)
    lines = stderr.decode().strip().splitlines()
    assert all("cannot reach Telegram" in line and f"127.0.0.1:{port}" in line
               for line in lines), lines
    assert TOKEN not in stderr.decode()
    assert [re.search(r"next try in (\d+) s", line).group(1)  # type: ignore[union-attr]
            for line in lines[:3]] == ["1", "2", "4"]


@pytest.mark.parametrize("proxy_kind", [HttpProxy, Socks5Proxy])
async def test_run_talks_to_the_bot_api_through_farmdock_proxy(
    fake_api: FakeBotApi, make_user: type[FakeUser], tmp_path: Path,
    proxy_kind: type[HttpProxy | Socks5Proxy],
) -> None:
    db = tmp_path / "city.db"
    async with proxy_kind() as proxy:
        process = await start_bot(fake_api, db, PROXY=proxy.url)
        try:
            await fake_api.wait_until(lambda: bool(fake_api.calls_to("getUpdates")), timeout=30)
            user = make_user("王师傅")
            user.send("/start")
            assert (await user.next_message(timeout=15)).text
            stderr = await stop_bot(process, signal.SIGTERM)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert_stopped_cleanly(process, stderr, db)
    # Long polling and the replies each have their own connections, all through the proxy.
    assert len(proxy.targets) >= 2
    assert set(proxy.targets) == {("127.0.0.1", fake_api.port)}


async def test_run_with_a_token_telegram_refuses_stops_with_one_line(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    fake_api.inject_error("getMe", InjectedError(401, "Unauthorized"))
    process = await start_bot(fake_api, tmp_path / "city.db")
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 2
    [line] = stderr.decode().strip().splitlines()
    assert line.startswith("farmdock: ") and "FARMDOCK_TOKEN" in line and TOKEN not in line
