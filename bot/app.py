"""The one place that assembles the Telegram Application.

Persistence (SQLite), the rate limiter, per-user ordering of updates, the
handlers in order, the jobs and the error handler are all wired here. The
long-lived services (database, matching index, outbox sender) are created in
``post_init``, kept in ``bot_data``, stopped in ``post_stop`` and closed in
``post_shutdown``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import signal
import warnings
from datetime import timedelta
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBUserWarning

from bot import menus
from bot.handlers import common, matches, my_listings, officials, posting, registration
from bot.handlers.common import FarmContext
from bot.persistence import SQLitePersistence
from bot.services.listings import expire_listings
from bot.services.match_index import ListingIndex
from bot.services.outbox_sender import start_outbox_sender, stop_outbox_sender
from bot.services.runtime import SERVICES_KEY, Services
from bot.settings import Settings, SettingsError
from bot.transport import (
    RETRY_AFTER_RETRIES,
    TELEGRAM_OVERALL_RATE,
    ObservedRequest,
    PerUserUpdateProcessor,
    RetryingRateLimiter,
    SendBudget,
)
from storage.database import Database

log = logging.getLogger(__name__)

EXPIRY_INTERVAL = timedelta(minutes=5)
# What the bot cannot read yet; each gets one line on how to post.
MEDIA = (
    filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE | filters.VIDEO | filters.ANIMATION
    | filters.PHOTO | filters.Document.ALL | filters.Sticker.ALL | filters.LOCATION
    | filters.VENUE
)
# Start-up tries again after 1, 2, 4 … seconds while Telegram cannot be reached, at most
# a minute apart.
FIRST_RETRY = 1.0
LAST_RETRY = 60.0


def register_handlers(application: Application, settings: Settings) -> None:
    """Every handler, in order. Within a group the first handler that matches wins."""
    # Group -1 runs before everything: load the caller's account, drop blocked users.
    application.add_handler(TypeHandler(Update, common.guard), group=-1)

    # Conversations first, so that text answering a question is not read as a new post.
    # Sign-up precedes posting: an unregistered user's /start must not start a draft.
    with warnings.catch_warnings():
        # Conversations follow a user, not a message, on purpose: buttons carry ids or a
        # draft token that handlers check, so python-telegram-bot's hint does not apply.
        warnings.filterwarnings("ignore", message=r".*per_message=False.*",
                                category=PTBUserWarning)
        application.add_handler(registration.conversation())
        application.add_handlers(my_listings.handlers())
        application.add_handler(posting.conversation())
    application.add_handlers(matches.handlers())
    officials.register(application, settings)
    application.add_handlers([
        CommandHandler("help", common.help_command),
        CommandHandler("cancel", common.cancel_command),
        MessageHandler(filters.CONTACT, common.contact_shared),
        # After the conversations, which take none of these: a step in progress stays
        # where it is, and the sender hears how to post instead of silence.
        MessageHandler(filters.UpdateType.MESSAGE & MEDIA, common.media_sent),
        # Last: presses and commands nothing above took.
        CallbackQueryHandler(common.unmatched_callback),
        MessageHandler(filters.COMMAND, common.unknown_command),
    ])
    application.add_error_handler(common.error_handler)


def build_application(
    settings: Settings, *, overall_max_rate: float | None = None
) -> Application:
    """The bot, ready to run. ``overall_max_rate`` caps messages per second over all chats;
    by default this worker's share of Telegram's limit (``FARMDOCK_WORKERS``); 0 removes
    the cap on replies, for measuring against a fake server (the outbox keeps the share).

    Replies and the outbox take every message from one send budget, replies first, so a
    broadcast never makes a user who just typed wait.
    """
    persistence = SQLitePersistence(settings.db_path)
    share = TELEGRAM_OVERALL_RATE / settings.workers
    if overall_max_rate is None:
        overall_max_rate = share
    budget = SendBudget(overall_max_rate) if overall_max_rate else None

    async def post_init(application: Application) -> None:
        db = await persistence.database()
        application.bot_data["db"] = db
        index = ListingIndex()
        filed = await index.load(db)
        sender = start_outbox_sender(
            application, global_per_second=share, budget=budget,
            operator_chat_ids=settings.operator_chat_ids,
        )
        application.bot_data[SERVICES_KEY] = Services(settings, db, index, sender.wake)
        await menus.set_default_menu(application.bot)
        if application.job_queue is not None:
            application.job_queue.run_repeating(
                _expire, EXPIRY_INTERVAL, first=0, name="expire-listings"
            )
            # One call per official: in the background, so many officials never delay start-up.
            application.job_queue.run_once(_staff_menus, when=0, name="staff-menus")
        log.info("farmdock started: %d open listings in the matching index", filed)

    async def post_stop(application: Application) -> None:
        # Before shutdown closes the bot's HTTP client, which the sender uses.
        await stop_outbox_sender(application)

    async def post_shutdown(application: Application) -> None:
        application.bot_data.pop(SERVICES_KEY, None)
        db = application.bot_data.pop("db", None)
        if db is not None:
            await db.close()

    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_base_file_url)
        # The outbox sender asks it whether Telegram answered 200 before an error. Both
        # requests go through FARMDOCK_PROXY when it is set; long polling needs only one
        # connection, as python-telegram-bot's default has it.
        .request(ObservedRequest(proxy=settings.proxy))
        .get_updates_request(HTTPXRequest(connection_pool_size=1, proxy=settings.proxy))
        .persistence(persistence)
        .context_types(ContextTypes(context=FarmContext))
        .rate_limiter(RetryingRateLimiter(budget, max_retries=RETRY_AFTER_RETRIES))
        .concurrent_updates(PerUserUpdateProcessor())
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    register_handlers(application, settings)
    return application


async def _expire(context: FarmContext) -> None:
    """Close listings whose validity has passed, so they stop matching; meanwhile the
    matching index catches up with listings other workers and the CLI wrote."""
    services = context.services
    expired = await expire_listings(services.db, services.index)
    if expired:
        log.info("expired listings %s", expired)


async def _staff_menus(context: FarmContext) -> None:
    """Officials and admins get their own command menu (their chat's scope)."""
    done = await menus.set_staff_menus(context.bot, context.services.db)
    log.info("command menus set for %d officials and admins", done)


def run(settings: Settings) -> None:
    """Long polling, or a webhook when FARMDOCK_WEBHOOK_URL is set; until SIGINT/SIGTERM.

    The database is checked first (a damaged file is not cured by waiting). Then, while
    Telegram cannot be reached, start-up is tried again after 1, 2, 4 … 60 s, one log line
    per try, until it works or the process is told to stop (then it exits cleanly).
    """
    asyncio.run(_check_database(settings))
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # python-telegram-bot runs on the current loop
    try:
        application = build_application(settings)
        if loop.run_until_complete(_reach_telegram(application, settings)):
            _serve(application, settings)
    finally:
        if not loop.is_closed():
            loop.close()


async def _check_database(settings: Settings) -> None:
    """Open (and migrate) the database once; StorageError when it cannot be used."""
    db = await Database.open(settings.db_path)
    await db.close()


async def _reach_telegram(application: Application, settings: Settings) -> bool:
    """Initialize the application (getMe), trying again with back-off while Telegram
    cannot be reached; False when SIGINT/SIGTERM came first."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    where = urlsplit(settings.api_base_url).netloc  # never the token
    via = f" through the proxy {urlsplit(settings.proxy).hostname}" if settings.proxy else ""
    delay = FIRST_RETRY
    try:
        for attempt in itertools.count(1):
            try:
                await application.initialize()
            except InvalidToken:
                raise SettingsError(
                    "Telegram refused FARMDOCK_TOKEN: copy the token again from @BotFather"
                ) from None
            except NetworkError as error:
                if isinstance(error, BadRequest):
                    raise
                log.warning("cannot reach Telegram at %s%s (try %d: %s); next try in %.0f s",
                            where, via, attempt, error, delay)
            else:
                if stop.is_set():
                    application.stop_running()  # shut down cleanly right after post_init
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            if stop.is_set():
                return False
            delay = min(delay * 2, LAST_RETRY)
        raise AssertionError("itertools.count never ends")
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


def _serve(application: Application, settings: Settings) -> None:
    if settings.webhook_url:
        # Telegram calls the public https URL; the reverse proxy that ends TLS passes the
        # path on to listen:port, so the bot serves that same path.
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
            secret_token=settings.webhook_secret,
            webhook_url=settings.webhook_url,
            allowed_updates=Update.ALL_TYPES,
            # Every worker sets the webhook as it starts: updates waiting meanwhile are kept.
            drop_pending_updates=False,
            bootstrap_retries=-1,
        )
    else:
        # bootstrap_retries=-1: once getMe worked, a dropped deleteWebhook is tried again
        # rather than ending the run with a traceback.
        application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1)
