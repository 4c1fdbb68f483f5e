"""The survey's jobs run once a day across workers: officers' mornings, the deadline."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from bot.handlers import survey_jobs
from bot.services.match_index import ListingIndex
from bot.services.runtime import Services
from bot.settings import load_settings
from storage.database import Database
from tests.backends import settings_env
from tests.stores import each


@pytest.fixture
async def services(database_target: str) -> AsyncIterator[list[Services]]:
    """Two workers' services on one database."""
    db = await Database.open(database_target)
    settings = load_settings({"FARMDOCK_TOKEN": "123456:TEST-token_farmdock",
                              **settings_env(database_target)}, env_file=None)
    woken: list[int] = []
    yield [Services(settings, db, ListingIndex(db), lambda: woken.append(1), worker_id=w)
           for w in ("a", "b")]
    await db.close()


async def test_each_job_runs_once_a_day_whichever_worker(services: list[Services]) -> None:
    first, second = services
    db = first.db
    await each(db).users.upsert(501, role="buyer", name="店长")
    await each(db).users.upsert(601, role="official", name="王", county="宝丰县")
    store, _ = await each(db).survey.upsert_store(
        chain="", name="万家福宝丰店", type="超市", county="宝丰县", township=None,
        manager_phone=None, now=time.time())
    await each(db).survey.link_manager(store.id, 501, time.time())
    await each(db).survey.assign_officer(store.id, 601, None, time.time())
    now = time.time()
    assert await survey_jobs.officer_mornings(first, now=now) == 1
    assert await survey_jobs.officer_mornings(second, now=now) == 0
    # Not reported today nor yesterday: the manager reminded, the officer copied.
    assert await survey_jobs.survey_deadline(second, now=now) == 2
    assert await survey_jobs.survey_deadline(first, now=now) == 0
    assert sorted(r.chat_id for r in await each(db).outbox.rows(kind="survey_reminder")) == [
        501, 601]
