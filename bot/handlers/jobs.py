"""The scheduled jobs: each runs its use cases in units of work of its own.

Jobs run in the platform's time zone whatever the machine's (the schedule is set
in ``bot.app``). Every worker schedules them all. The morning messages are sent
once a day across the workers: the first to claim the day's run does it, and if
it dies before the end another takes the run over when its lease is out (the
catch-up looks every few minutes). The outbox keys make even a run taken over
half-way add nothing twice.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from bot.matching.clock import local_today
from bot.services import broadcasts, price_notices
from bot.services.deals import enqueue_deal_questions
from bot.services.digest import enqueue_daily_digests
from bot.services.listings import expire_listings
from bot.services.runtime import Services
from bot.services.tickets import check_deadlines

log = logging.getLogger(__name__)

# Updates recorded as processed are kept this long (Telegram redelivers for a day).
UPDATE_MEMORY = 2 * 24 * 3600.0
MORNING_JOB = "morning-messages"
# How long a worker holds the day's morning run: far longer than the run takes (a
# digest to every official), and how long a run whose worker died waits for another.
JOB_LEASE = 15 * 60.0


async def morning_messages(services: Services, *, now: float | None = None) -> int:
    """Yesterday's digest to every official, match summaries to users; outbox rows added.

    Once a day across the workers: nothing is done when another worker holds or
    finished the day's run.
    """
    settings = services.settings
    yesterday = local_today(settings.timezone, now) - timedelta(days=1)
    day = yesterday.isoformat()
    started = time.time() if now is None else now
    async with services.db.write() as uow:
        mine = await uow.jobs.claim(MORNING_JOB, day, services.worker_id, started,
                                    lease_seconds=JOB_LEASE)
        await uow.commit()
    if not mine:
        return 0
    added = await enqueue_daily_digests(services.db, yesterday, settings.timezone, now=now,
                                        operators=settings.operator_chat_ids,
                                        delivery_late_hours=settings.delivery_late_hours)
    # With the digest: each official's prices section and the day's price bulletin, made
    # in a read (the tables take a while) and enqueued below.
    async with services.db.read() as uow:
        prices = await price_notices.morning_price_rows(
            uow, yesterday, settings.bureau_name, tz=settings.timezone,
            ratio=settings.price_sanity_ratio)
    async with services.db.write() as uow:
        added += await broadcasts.enqueue_match_summaries(uow, yesterday, settings.timezone)
        added += await uow.outbox.enqueue_groups(prices)
        if not await uow.jobs.finish(MORNING_JOB, day, services.worker_id, time.time()):
            log.warning("morning messages for %s took longer than the lease: another worker"
                        " took the run over", yesterday)
        await uow.commit()
    log.info("morning messages for %s: %d outbox rows added", yesterday, added)
    services.wake_outbox()
    return added


async def checks(services: Services) -> int:
    """Escalate needs still short and remind owners of listings expiring tomorrow."""
    settings = services.settings
    async with services.db.write() as uow:
        added = await broadcasts.enqueue_escalations(uow, settings.escalation_hours)
        added += await broadcasts.enqueue_expiry_reminders(uow, settings.timezone)
        await uow.commit()
    if added:
        services.wake_outbox()
    return added


async def catch_up(services: Services) -> None:
    """At start-up and every few minutes: if this morning's digest time has passed, make
    sure it went out (a run whose worker died is taken over here)."""
    if digest_time_passed(services, time.time()):
        await morning_messages(services)


def digest_time_passed(services: Services, now: float) -> bool:
    """Whether today's digest time (in the platform's zone) is behind ``now``."""
    settings = services.settings
    return datetime.fromtimestamp(now, settings.timezone).time() >= settings.digest_time


async def expire(services: Services) -> None:
    """Close listings whose validity has passed, so they stop matching; meanwhile the
    matching index catches up with what other workers and the CLI wrote."""
    now = time.time()
    async with services.db.write() as uow:
        expired = await expire_listings(uow, now)
        await uow.updates.forget_before(now - UPDATE_MEMORY)
        await uow.commit()
    await services.index.sync(now)
    services.index.expire(now)
    if expired:
        log.info("expired listings %s", expired)


async def ask_deals(services: Services, *, now: float | None = None) -> int:
    """成交了吗 to every side of an exchange that is due (see :mod:`bot.services.deals`);
    outbox rows added. Every worker runs it: each ask is claimed in storage."""
    now = time.time() if now is None else now
    async with services.db.write() as uow:
        added = await enqueue_deal_questions(uow, now, services.settings.deal_ask_hours)
        await uow.commit()
    if added:
        services.wake_outbox()
    return added


async def ticket_deadlines(services: Services, *, now: float | None = None) -> int:
    """Remind owners of hotline tickets due soon, escalate those past due; every worker
    runs it, and each reminder and escalation happens once (see check_deadlines)."""
    async with services.db.write() as uow:
        added = await check_deadlines(uow, now=time.time() if now is None else now,
                                      tz=services.settings.timezone)
        await uow.commit()
    if added:
        services.wake_outbox()
    return added


async def price_checks(services: Services, *, now: float | None = None) -> int:
    """The daily price monitoring's messages of today, each once (the outbox keys): price
    alerts to officials; from ``FARMDOCK_PRICE_REMINDER_TIME`` a reminder to each point
    that has not reported; from ``FARMDOCK_BULLETIN_TIME`` the bulletin to
    ``FARMDOCK_BULLETIN_CHAT``. Run every few minutes, so a restart misses nothing."""
    settings = services.settings
    moment = time.time() if now is None else now
    today = local_today(settings.timezone, moment)
    clock = datetime.fromtimestamp(moment, settings.timezone).time()
    # The tables are read without holding the write lock; the rows go in in a short write.
    async with services.db.read() as uow:
        rows = await price_notices.price_alert_rows(uow, today)
        if clock >= settings.price_reminder_time:
            rows += await price_notices.price_reminder_rows(uow, today)
        groups = []
        if settings.bulletin_chat is not None and clock >= settings.bulletin_time:
            groups = await price_notices.bulletin_rows(uow, today, settings.bureau_name,
                                                       settings.bulletin_chat)
    async with services.db.write() as uow:
        added = await uow.outbox.enqueue(rows) + await uow.outbox.enqueue_groups(groups)
        await uow.commit()
    if added:
        services.wake_outbox()
    return added
