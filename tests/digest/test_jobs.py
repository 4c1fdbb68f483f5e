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

from bot.app import DAILY_JOB, MISFIRE_GRACE, build_application, schedule_jobs
from bot.handlers import jobs
from bot.services.match_index import ListingIndex
from bot.services.runtime import SERVICES_KEY, Services
from bot.settings import Settings, load_settings
from bot.telegram.outbox_sender import CLAIM_LEASE, OutboxSender
from storage.database import Database
from storage.outbox import OutboxRepository
from tests.backends import settings_env
from tests.digest.conftest import TOKEN
from tests.digest.factories import DAY, TZ, at, listing, person
from tests.fake_bot_api import FakeBotApi, SimulatedClock, running_application
from tests.stores import each

CATCH_UP_JOB = "officials-catch-up"


@pytest.fixture
def settings(db: Database, server: FakeBotApi) -> Settings:
    """The bot's settings: the test's database file, the fake Bot API."""
    return load_settings({
        "FARMDOCK_TOKEN": TOKEN, "FARMDOCK_API_BASE_URL": server.base_url,
        **settings_env(db.path), "FARMDOCK_OPERATOR_CHAT_IDS": "",
    }, env_file=None)


class Wakes:
    """Counts the times a job woke the outbox sender."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def wakes() -> Wakes:
    return Wakes()


@pytest.fixture
def services(settings: Settings, db: Database, wakes: Wakes) -> Services:
    """What the running bot hands its jobs, on the test's database."""
    return Services(settings, db, ListingIndex(db), wakes)


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
async def scheduled(server: FakeBotApi, services: Services) -> AsyncIterator[Application]:
    """An Application with the bot's jobs scheduled as ``post_init`` schedules them, not
    started: a test starts it."""
    application = ApplicationBuilder().token(TOKEN).base_url(server.base_url).build()
    schedule_jobs(application, services)
    await application.initialize()
    yield application
    if application.running:
        await application.stop()
    await application.shutdown()


async def test_digest_runs_at_eight_in_shanghai_whatever_the_machine_zone(
    machine_in_new_york: None, settings: Settings
) -> None:
    async with running_application(build_application(settings)) as application:
        assert application.job_queue is not None
        [job] = application.job_queue.get_jobs_by_name(DAILY_JOB)
        fires = job.next_t.astimezone(TZ)
        assert (fires.hour, fires.minute) == (8, 0)
        assert timedelta(0) < fires - datetime.now(TZ) <= timedelta(days=1)
        assert job.job.misfire_grace_time == MISFIRE_GRACE >= 300
        assert job.job.coalesce is True


async def test_a_late_start_within_the_grace_still_sends(
    db: Database, scheduled: Application, wakes: Wakes
) -> None:
    await person(db, 500, "official", county="宝丰县", township=None)
    queue = scheduled.job_queue
    assert queue is not None
    # Without the start-up catch-up, only the daily job can fill the outbox.
    [catch_up] = queue.get_jobs_by_name(CATCH_UP_JOB)
    catch_up.schedule_removal()
    await scheduled.start()
    [job] = queue.get_jobs_by_name(DAILY_JOB)
    # The scheduler wakes five minutes after 08:00 (a busy machine, a slow restart).
    job.job.modify(next_run_time=datetime.now(TZ) - timedelta(minutes=5))
    queue.scheduler.wakeup()
    # The sender is told once the whole run is committed, a moment after the digest.
    for _ in range(100):
        if await each(db).outbox.rows(chat_id=500) and wakes.count:
            break
        await asyncio.sleep(0.05)
    rows = await each(db).outbox.rows(chat_id=500)
    assert [r.kind for r in rows][:1] == ["digest"]
    assert wakes.count >= 1


async def test_catch_up_only_after_the_digest_time(services: Services) -> None:
    eight = replace(services, settings=replace(services.settings, digest_time=clock_time(8, 0)))
    assert not jobs.digest_time_passed(eight, at(7, 59))
    assert jobs.digest_time_passed(eight, at(8, 0))
    assert jobs.digest_time_passed(eight, at(23, 0))


async def test_non_official_is_refused(
    db: Database, server: FakeBotApi, settings: Settings
) -> None:
    grower = server.user("王师傅")
    await person(db, grower.id, "grower")
    async with running_application(build_application(settings)) as application:
        assert application.bot_data[SERVICES_KEY].db.path == db.path
        grower.send("/digest")
        reply = await grower.next_message()
    assert "仅向" in reply.content


async def test_crash_mid_broadcast_then_restart_everyone_gets_exactly_one_digest(
    db: Database, bot: Bot, server: FakeBotApi, services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    grower = await person(db, 1, organisation="张八桥合作社")
    await listing(db, grower, "need", "大白菜", 500, created_at=at(9))
    counties = ["宝丰县", "叶县", "郏县", "鲁山县", None]
    recipients = list(range(1000, 1060))
    for n, chat in enumerate(recipients):
        await person(db, chat, "official", county=counties[n % 5], township=None)
    now = at(8, 0, DAY + timedelta(days=1))
    # The 08:00 job: each official's digest is its text, the workbook and the chart.
    assert await jobs.morning_messages(services, now=now) == len(recipients) * 3

    real_mark_sent = OutboxRepository.mark_sent
    marked = 0

    class Crash(BaseException):
        pass

    async def crash_on_the_100th(
        repository: OutboxRepository, message_id: int, **how: Any
    ) -> None:
        nonlocal marked
        marked += 1
        if marked == 100:
            raise Crash
        await real_mark_sent(repository, message_id, **how)

    clock = SimulatedClock()
    server.enable_limits(clock)
    monkeypatch.setattr(OutboxRepository, "mark_sent", crash_on_the_100th)
    with pytest.raises(Crash):
        await OutboxSender(db, bot, clock=clock.monotonic, sleep=clock.sleep).drain()
    monkeypatch.setattr(OutboxRepository, "mark_sent", real_mark_sent)
    assert len(server.sent) == 100

    # Restart (which takes a few seconds): the catch-up fills again, adding nothing,
    # and the sender drains once the dead process's claims have run out.
    clock.advance(5.0)
    assert await jobs.morning_messages(services, now=now) == 0
    await OutboxSender(
        db, bot, clock=clock.monotonic, sleep=clock.sleep,
        wall_clock=lambda: time.time() + CLAIM_LEASE,
    ).drain()

    per_chat = Counter((m.chat_id, m.method) for m in server.sent)
    for chat in recipients:
        for method in ("sendMessage", "sendDocument", "sendPhoto"):
            assert per_chat[chat, method] >= 1, (chat, method)
    repeats = sum(n - 1 for n in per_chat.values())
    assert repeats <= 1  # one crash, at most one message twice
    assert server.limits is not None and server.limits.rejected == 0
    assert {r.status for r in await each(db).outbox.rows(kind="digest")} == {"sent"}
