"""A webhook call is answered only once its update is committed: a worker killed while
an update waits for the database loses nothing, Telegram delivers it again."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import aiohttp
import asyncpg

from storage.database import Database
from tests.bot.conftest import published, sign_up
from tests.fake_bot_api import FakeBotApi
from tests.stores import each
from tests.test_run_command import (
    PUBLIC_WEBHOOK_URL,
    WEBHOOK_SECRET,
    free_port,
    post_update,
    start_bot,
    stop_bot,
)

HOOK = "/farmdock-hook"


class HeldWrites:
    """Another writer holding the database, so that a worker's update waits for it:
    SQLite's write lock, or on PostgreSQL a lock on the table every update writes."""

    def __init__(self, target: str) -> None:
        self._target = target
        self._sqlite: sqlite3.Connection | None = None
        self._postgres: asyncpg.Connection | None = None

    async def __aenter__(self) -> HeldWrites:
        if self._target.startswith("postgresql"):
            self._postgres = await asyncpg.connect(self._target)
            await self._postgres.execute(
                "BEGIN; LOCK TABLE processed_updates IN EXCLUSIVE MODE")
        else:
            self._sqlite = sqlite3.connect(self._target, isolation_level=None)
            self._sqlite.execute("BEGIN IMMEDIATE")
        return self

    async def release(self) -> None:
        if self._postgres is not None:
            await self._postgres.execute("ROLLBACK")
            await self._postgres.close()
            self._postgres = None
        if self._sqlite is not None:
            self._sqlite.execute("ROLLBACK")
            self._sqlite.close()
            self._sqlite = None

    async def __aexit__(self, *exc_info: object) -> None:
        await self.release()


async def _worker(fake_api: FakeBotApi, db: str) -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    calls = len(fake_api.calls_to("setWebhook", ok=True))
    process = await start_bot(fake_api, db, WEBHOOK_URL=PUBLIC_WEBHOOK_URL,
                              WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port),
                              WEBHOOK_SECRET=WEBHOOK_SECRET)
    await fake_api.wait_until(lambda: len(fake_api.calls_to("setWebhook", ok=True)) > calls,
                              timeout=60, what="the worker's webhook")
    return process, f"http://127.0.0.1:{port}{HOOK}"


async def test_an_update_a_killed_worker_had_not_committed_is_delivered_again(
    fake_api: FakeBotApi, make_user, database_target: str
) -> None:
    db = database_target
    first, first_url = await _worker(fake_api, db)
    fake_api.deliver_by_webhook([first_url], WEBHOOK_SECRET, retry_every=0.2)
    second = None
    try:
        grower = make_user("王师傅")
        await sign_up(grower)
        grower.send("出售大白菜5000斤，0.8元/斤")
        card = await grower.next_message(lambda m: "确认" in " ".join(m.button_texts()))

        await fake_api.wait_until(lambda: fake_api.webhook_calls_open == 0, timeout=10,
                                  what="every earlier call answered")
        # Another writer holds the database: the confirm press waits inside the worker.
        async with HeldWrites(db) as held:
            calls_before = len(fake_api.webhook_attempts)
            grower.press(card, "确认")
            await asyncio.sleep(1.5)
            # The call is still open: nothing is committed, Telegram has not heard back.
            assert fake_api.webhook_calls_open == 1
            assert len(fake_api.webhook_attempts) == calls_before
            first.kill()
            await first.wait()
            await held.release()

        second, second_url = await _worker(fake_api, db)
        fake_api.deliver_by_webhook([second_url], WEBHOOK_SECRET, retry_every=0.2)
        await published(grower, card)
        await fake_api.wait_until(lambda: fake_api.webhook_calls_open == 0, timeout=10,
                                  what="the press answered")
        # The killed worker's call failed, and was made again to the live one.
        statuses = [status for _, _, status in fake_api.webhook_attempts[calls_before:]]
        assert statuses[0] != 200 and statuses[-1] == 200
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                await stop_bot(process, signal.SIGTERM)
    async with await Database.open(db) as opened:
        [listing] = await each(opened).listings.of_user(grower.id)
    assert listing.product == "大白菜"


async def test_a_call_that_is_not_an_update_is_refused(fake_api: FakeBotApi, tmp_path: Path
                                                        ) -> None:
    process, url = await _worker(fake_api, tmp_path / "city.db")
    try:
        async with aiohttp.ClientSession() as session:
            headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
                       "Content-Type": "application/json"}
            async with session.post(url, data=b"{not json", headers=headers) as response:
                assert response.status == 400
            async with session.get(url, headers=headers) as response:
                assert response.status == 405
            assert await post_update(session, url, {"update_id": 1}, WEBHOOK_SECRET) == 200
    finally:
        await stop_bot(process, signal.SIGTERM)
