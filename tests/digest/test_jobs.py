"""Scheduling of the officials' jobs, and a broadcast that survives a crash."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any

import pytest
from telegram import Bot
from telegram.ext import Application, ApplicationBuilder

from bot.handlers import officials
from bot.services import outbox_sender
from bot.services.digest import enqueue_daily_digests
from bot.services.outbox_sender import CLAIM_LEASE, OutboxSender
from bot.settings import Settings, load_settings
from storage import outbox
from storage.database import Database
from tests.digest.conftest import TOKEN
from tests.digest.factories import DAY, TZ, at, listing, person
from tests.fake_bot_api import FakeBotApi, SimulatedClock


@pytest.fixture
def settings() -> Settings:
    return load_settings({"FARMDOCK_TOKEN": TOKEN}, env_file=None)


@pytest.fixture
def machine_in_new_york() -> Iterator[None]:
    """The machine's own zone is 12 hours off Pingdingshan's."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
async def application(
    db: Database, server: FakeBotApi, settings: Settings
) -> AsyncIterator[Application]:
    app = ApplicationBuilder().token(TOKEN).base_url(server.base_url).build()
    app.bot_data["db"] = db
    officials.register(app, settings)
    await app.initialize()
    yield app
    if app.running:
        await app.stop()
    await app.shutdown()


async def test_digest_runs_at_eight_in_shanghai_whatever_the_machine_zone(
    machine_in_new_york: None, application: Application
) -> None:
    await application.start()
    [job] = application.job_queue.get_jobs_by_name(officials.DAILY_JOB)
    fires = job.next_t.astimezone(TZ)
    assert (fires.hour, fires.minute) == (8, 0)
    assert timedelta(0) < fires - datetime.now(TZ) <= timedelta(days=1)
    assert job.job.misfire_grace_time == officials.MISFIRE_GRACE >= 300
    assert job.job.coalesce is True


async def test_a_late_start_within_the_grace_still_sends(
    db: Database, application: Application
) -> None:
    await person(db, 500, "official", county="宝丰县", township=None)
    await application.start()
    [job] = application.job_queue.get_jobs_by_name(officials.DAILY_JOB)
    # The scheduler wakes five minutes after 08:00 (a busy machine, a slow restart).
    job.job.modify(next_run_time=datetime.now(TZ) - timedelta(minutes=5))
    application.job_queue.scheduler.wakeup()
    for _ in range(100):
        if await outbox.messages(db, chat_id=500):
            break
        await asyncio.sleep(0.05)
    rows = await outbox.messages(db, chat_id=500)
    assert [r.kind for r in rows][:1] == ["digest"]


def test_catch_up_only_after_the_digest_time(settings: Settings) -> None:
    eight = replace(settings, digest_time=clock_time(8, 0))
    assert not officials.digest_time_passed(eight, at(7, 59))
    assert officials.digest_time_passed(eight, at(8, 0))
    assert officials.digest_time_passed(eight, at(23, 0))


async def test_non_official_is_refused(
    db: Database, server: FakeBotApi, settings: Settings
) -> None:
    from tests.fake_bot_api import running_application

    app = ApplicationBuilder().token(TOKEN).base_url(server.base_url).build()
    app.bot_data["db"] = db
    officials.register(app, settings)
    grower = server.user("王师傅")
    await person(db, grower.id, "grower")
    async with running_application(app):
        grower.send("/digest")
        reply = await grower.next_message()
    assert "仅向" in reply.content


async def test_crash_mid_broadcast_then_restart_everyone_gets_exactly_one_digest(
    db: Database, bot: Bot, server: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    grower = await person(db, 1, organisation="张八桥合作社")
    await listing(db, grower, "need", "大白菜", 500, created_at=at(9))
    counties = ["宝丰县", "叶县", "郏县", "鲁山县", None]
    recipients = list(range(1000, 1060))
    for n, chat in enumerate(recipients):
        await person(db, chat, "official", county=counties[n % 5], township=None)
    now = at(8, 0, DAY + timedelta(days=1))
    assert await enqueue_daily_digests(db, DAY, TZ, now=now) == len(recipients) * 3

    real_mark_sent = outbox.mark_sent
    marked = 0

    class Crash(BaseException):
        pass

    async def crash_on_the_100th(database: Database, message_id: int, **how: Any) -> None:
        nonlocal marked
        marked += 1
        if marked == 100:
            raise Crash
        await real_mark_sent(database, message_id, **how)

    clock = SimulatedClock()
    server.enable_limits(clock)
    monkeypatch.setattr(outbox_sender.outbox, "mark_sent", crash_on_the_100th)
    with pytest.raises(Crash):
        await OutboxSender(db, bot, clock=clock.monotonic, sleep=clock.sleep).drain()
    monkeypatch.setattr(outbox_sender.outbox, "mark_sent", real_mark_sent)

    # Restart (which takes a few seconds): the catch-up fills again, adding nothing,
    # and the sender drains once the dead process's claims have run out.
    clock.advance(5.0)
    assert await enqueue_daily_digests(db, DAY, TZ, now=now) == 0
    await OutboxSender(
        db, bot, clock=clock.monotonic, sleep=clock.sleep,
        wall_clock=lambda: time.time() + CLAIM_LEASE,
    ).drain()

    per_chat = Counter((m.chat_id, m.method) for m in server.sent)
    for chat in recipients:
        assert per_chat[chat, "sendDocument"] >= 1 and per_chat[chat, "sendPhoto"] >= 1
    repeats = sum(n - 1 for n in per_chat.values())
    assert repeats <= 1  # one crash, at most one message twice
    assert server.limits is not None and server.limits.rejected == 0
    texts = [m for m in server.sent if m.method == "sendMessage"]
    assert len({m.chat_id for m in texts}) == len(recipients)
