"""Officials' commands and the scheduled jobs that serve them.

Every command checks the caller's role from the database itself: a guard in
front of the handlers may exist, but a jurisdiction leak must not depend on it.

Jobs run in the platform's time zone whatever the machine's. A job that starts
late (the machine was busy, the bot was restarting) still runs within
``MISFIRE_GRACE`` instead of APScheduler's default of one second, which would
skip the morning's digest silently; missed runs coalesce into one. The outbox
keys make every run idempotent, so a catch-up at start-up can simply run again.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from functools import partial

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.matching.days import read_day
from bot.render import split_message
from bot.services import broadcasts
from bot.services.digest import enqueue_daily_digests, load_bundle, load_short, local_today
from bot.services.digest_model import Jurisdiction
from bot.services.digest_text import render_short
from bot.services.outbox_sender import database_of, wake_outbox_sender
from bot.settings import Settings
from bot.texts import officials as texts
from storage import users
from storage.records import User

log = logging.getLogger(__name__)

MISFIRE_GRACE = 600  # seconds
JOB_KWARGS = {"misfire_grace_time": MISFIRE_GRACE, "coalesce": True}
# Escalations and expiry reminders are checked this often.
CHECK_INTERVAL = 600.0
DAILY_JOB = "officials-daily-digest"


async def current_official(update: Update, context: ContextTypes.DEFAULT_TYPE) -> User | None:
    """The caller if they are an active official (or admin), else None after a polite refusal."""
    assert update.effective_user is not None and update.effective_message is not None
    user = await users.get_user(database_of(context.application), update.effective_user.id)
    if user is None or user.status != "active" or user.role not in ("official", "admin"):
        await update.effective_message.reply_text(texts.NOT_AN_OFFICIAL)
        return None
    return user


async def digest_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, settings: Settings
) -> None:
    """/digest [day]: the caller's area, today so far or a past day (昨天, 5月9日, 5.9 …)."""
    official = await current_official(update, context)
    if official is None:
        return
    message = update.effective_message
    assert message is not None
    today = local_today(settings.timezone)
    day = today
    if context.args:
        asked = read_day(" ".join(context.args), today)
        if asked is None:
            await message.reply_text(texts.BAD_DATE)
            return
        day = asked
        if day > today:
            await message.reply_text(texts.FUTURE_DATE)
            return
    area = area_of(official)
    found = await load_bundle(database_of(context.application), area, day, settings.timezone)
    for text in found.messages:
        await message.reply_text(text, parse_mode=ParseMode.HTML)
    caption = texts.ATTACHMENT_CAPTION.format(area=area.label, day=day.isoformat())
    await message.reply_document(
        InputFile(found.workbook, filename=f"{found.file_stem}.xlsx"), caption=caption
    )
    await message.reply_photo(InputFile(found.chart, filename=f"{found.file_stem}.png"))


async def short_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, settings: Settings
) -> None:
    """/short: the needs of the caller's area still unmatched right now, oldest first."""
    official = await current_official(update, context)
    if official is None:
        return
    message = update.effective_message
    assert message is not None
    found = await load_short(database_of(context.application), area_of(official))
    text = render_short(found.area.label, found.needs, found.unmatched, found.open_needs,
                        found.now, settings.timezone)
    for part in split_message(text):
        await message.reply_text(part, parse_mode=ParseMode.HTML)


def area_of(official: User) -> Jurisdiction:
    """Admins see the whole city; an official sees their jurisdiction only."""
    return Jurisdiction.of(official) if official.role == "official" else Jurisdiction()


async def daily_digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Morning run: yesterday's digest to every official, match summaries to users."""
    await send_morning_messages(context.application, _job_settings(context))


async def send_morning_messages(
    application: Application, settings: Settings, *, now: float | None = None
) -> int:
    """Fill the outbox with the morning's messages (idempotent) and wake the sender."""
    db = database_of(application)
    yesterday = local_today(settings.timezone, now) - timedelta(days=1)
    added = await enqueue_daily_digests(db, yesterday, settings.timezone, now=now,
                                        operators=settings.operator_chat_ids)
    added += await broadcasts.enqueue_match_summaries(db, yesterday, settings.timezone)
    log.info("morning messages for %s: %d outbox rows added", yesterday, added)
    wake_outbox_sender(application)
    return added


async def checks_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Escalate needs still short and remind owners of listings expiring tomorrow."""
    db = database_of(context.application)
    settings = _job_settings(context)
    added = await broadcasts.enqueue_escalations(db, settings.escalation_hours)
    added += await broadcasts.enqueue_expiry_reminders(db, settings.timezone)
    if added:
        wake_outbox_sender(context.application)


async def catch_up_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """At start-up: if this morning's digest time has passed, make sure it went out."""
    settings = _job_settings(context)
    if digest_time_passed(settings, time.time()):
        await send_morning_messages(context.application, settings)


def digest_time_passed(settings: Settings, now: float) -> bool:
    """Whether today's digest time (in the platform's zone) is behind ``now``."""
    local = datetime.fromtimestamp(now, settings.timezone)
    return local.time() >= settings.digest_time


def _job_settings(context: ContextTypes.DEFAULT_TYPE) -> Settings:
    assert context.job is not None and isinstance(context.job.data, Settings)
    return context.job.data


def register(application: Application, settings: Settings) -> None:
    """Add the officials' commands and schedule the digest, escalation and reminder jobs.

    The Application needs a JobQueue (python-telegram-bot[job-queue]).
    """
    application.add_handler(CommandHandler("digest", partial(digest_command, settings=settings)))
    application.add_handler(CommandHandler("short", partial(short_command, settings=settings)))
    jobs = application.job_queue
    if jobs is None:
        raise RuntimeError("the officials' digest needs python-telegram-bot[job-queue]")
    jobs.run_daily(
        daily_digest_job, time=settings.digest_time.replace(tzinfo=settings.timezone),
        name=DAILY_JOB, data=settings, job_kwargs=JOB_KWARGS,
    )
    jobs.run_repeating(
        checks_job, interval=CHECK_INTERVAL, first=60, name="officials-checks",
        data=settings, job_kwargs=JOB_KWARGS,
    )
    jobs.run_once(catch_up_job, when=1, name="officials-catch-up", data=settings)
