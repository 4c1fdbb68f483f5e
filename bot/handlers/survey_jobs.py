"""The store survey's scheduled jobs: officers' morning messages, and the reports' deadline
(reminders, officers copied after a second miss, area alerts). Each once a day across the
workers (a claimed run), and every message once (the outbox keys)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from bot.matching.clock import local_today
from bot.services.officers import enqueue_deadline, enqueue_officer_mornings
from bot.services.runtime import Services
from storage.interfaces import UnitOfWork

log = logging.getLogger(__name__)
MORNING_JOB = "survey-officer-mornings"
DEADLINE_JOB = "survey-deadline"
JOB_LEASE = 15 * 60.0


async def officer_mornings(services: Services, *, now: float | None = None) -> int:
    """Each officer's morning message (yesterday's to-do as it stands); rows added."""
    now = time.time() if now is None else now
    day = local_today(services.settings.timezone, now)
    return await _once(services, MORNING_JOB, now,
                       lambda uow: enqueue_officer_mornings(uow, day, now))


async def survey_deadline(services: Services, *, now: float | None = None) -> int:
    """Reports are due: remind the stores that have not reported; rows added."""
    now = time.time() if now is None else now
    day = local_today(services.settings.timezone, now)
    return await _once(services, DEADLINE_JOB, now, lambda uow: enqueue_deadline(uow, day))


async def _once(services: Services, job: str, now: float,
                body: Callable[[UnitOfWork], Awaitable[int]]) -> int:
    day = local_today(services.settings.timezone, now).isoformat()
    async with services.db.write() as uow:
        if not await uow.jobs.claim(job, day, services.worker_id, now,
                                    lease_seconds=JOB_LEASE):
            return 0
        added = int(await body(uow))
        await uow.jobs.finish(job, day, services.worker_id, time.time())
        await uow.commit()
    log.info("%s for %s: %d outbox rows added", job, day, added)
    if added:
        services.wake_outbox()
    return added
