"""The one place that assembles the bot: the routes in order, the jobs, the services.

Every update goes to the one router (``bot.telegram.router``), which runs it in a unit
of work of its own and routes it through :data:`ROUTES` below. The long-lived services
(database, matching index, outbox sender) are created in ``post_init``, kept in
``bot_data``, stopped in ``post_stop`` and closed in ``post_shutdown``; the jobs are
scheduled there too, in one list.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import HTTPXRequest

from bot.handlers import (
    common,
    deals,
    escalations,
    follows,
    jobs,
    matches,
    my_listings,
    officers,
    officials,
    passes,
    posting,
    prices,
    registration,
    registry,
    reports,
    sealed_areas,
    suppliers,
    survey,
    survey_jobs,
    tickets,
)
from bot.handlers.routing import Route, Routes
from bot.services.match_index import ListingIndex
from bot.services.runtime import SERVICES_KEY, Services
from bot.settings import Settings, SettingsError
from bot.telegram import menus
from bot.telegram.outbox_sender import start_outbox_sender, stop_outbox_sender
from bot.telegram.router import REPLY_GRACE, Router
from bot.telegram.send_turns import DatabaseTurns
from bot.telegram.transport import (
    RETRY_AFTER_RETRIES,
    ObservedRequest,
    PerUserUpdateProcessor,
    RetryingRateLimiter,
    SendBudget,
)
from bot.telegram.webhook import WebhookServer
from storage.database import Database

log = logging.getLogger(__name__)

# Start-up tries again after 1, 2, 4 … seconds while Telegram cannot be reached, at most
# a minute apart.
# The router, in bot_data: the webhook server hands it each update itself.
ROUTER_KEY = "farmdock.router"
FIRST_RETRY = 1.0
LAST_RETRY = 60.0

# Every way into the handlers. Commands win over any conversation in progress (/cancel
# ends it; /start and /offer begin another). A flow's buttons reach it only while the
# chat is in that flow. Typed text goes to the step the chat is at, else it is a post.
ROUTES = Routes(
    commands={
        # A reporter's point link (start=pt…) links to the point; any other is sign-up's.
        "start": Route(prices.start),
        "offer": Route(posting.steps_started),
        "need": Route(posting.steps_started),
        "mine": Route(my_listings.mine_command),
        "matches": Route(matches.matches_command),
        "help": Route(common.help_command),
        "cancel": Route(common.cancel_command),
        # Reads: a city's digest takes a second to build and must hold no write lock.
        "digest": Route(officials.digest_command, writes=False),
        "short": Route(officials.short_command, writes=False),
        "follow": Route(follows.follow_command),
        "following": Route(follows.following_command),
        # The supply hotline: file a ticket (one line or a short form), list tickets.
        "ticket": Route(tickets.ticket_command),
        "tickets": Route(tickets.tickets_command),
        # Transport passes: apply, check (audited, so a write), an area's register (a read).
        "pass": Route(passes.pass_command),
        "verify": Route(passes.verify_command),
        "passes": Route(passes.register_command, writes=False),
        # The daily price monitoring (日监测).
        "addpoint": Route(prices.add_point_command),
        "pointlink": Route(prices.point_link_command),
        "points": Route(prices.points_command, writes=False),
        "prices": Route(prices.prices_command, writes=False),
        "pricereport": Route(prices.report_command),
        # The store survey: a manager's daily report, an officer's list, assigning officers.
        "stockreport": Route(survey.report_command),
        "todo": Route(officers.todo_command),
        "assign": Route(officers.assign_command),
        # /report: the store's stock or the point's prices, whichever the caller reports.
        "report": Route(reports.report_command),
        # The emergency supplier registry: an official's area's suppliers, adding one.
        "suppliers": Route(suppliers.suppliers_command),
        "addsupplier": Route(suppliers.add_command),
        # Sealed areas (封控区): an official's areas with 解封, declaring, staffing them.
        "areas": Route(sealed_areas.areas_command),
        "declare": Route(sealed_areas.declare_command),
        "designate": Route(sealed_areas.designate_command),
        "receiver": Route(sealed_areas.receiver_command),
    },
    presses={
        "int": Route(matches.interest_pressed),
        "pair": Route(matches.interest_pressed),
        "lst": Route(my_listings.listing_pressed),
        "deal": Route(deals.deal_pressed),
        "fol": Route(follows.follow_pressed),
        "tk": Route(tickets.ticket_pressed),
        "pas": Route(passes.decision_pressed),
        # A need the store survey drafted: 发布 / 改数量 / 不需要.
        "srv": Route(survey.need_pressed),
        # An official on a ⚠️ 缺口提醒: the best candidates, 已协调.
        "esc": Route(escalations.escalation_pressed),
        # The emergency supplier registry: 能供应 / 不能 / 能供应部分 on a request or call card.
        "sup": Route(registry.request_pressed),
        "spl": Route(suppliers.edit_pressed),
        # Sealed areas: 解封 from /areas; a delivery task's 已发车 / 已签收.
        "sea": Route(sealed_areas.lift_pressed),
        "dlv": Route(sealed_areas.delivery_pressed),
    },
    flows=[registration.FLOW, posting.FLOW, my_listings.FLOW, deals.FLOW, tickets.FLOW,
           tickets.ANSWER_FORM, passes.FLOW, passes.REASON_FLOW, prices.FLOW,
           survey.REPORT, survey.QUANTITY, officers.FLOW, registry.PART, suppliers.FLOW,
           sealed_areas.FLOW],
    text=posting.line_posted,
    contact=common.contact_shared,
    media=common.media_sent,
    blocked=common.blocked,
    unknown_command=common.unknown_command,
    unknown_press=common.unknown_press,
    stale_press=common.stale_press,
)

MISFIRE_GRACE = 600  # seconds
JOB_KWARGS = {"misfire_grace_time": MISFIRE_GRACE, "coalesce": True}
# Escalations and expiry reminders are checked this often.
CHECK_INTERVAL = 600.0
# Needs 告急 or 断货 go to the registry at once: looked for this often.
REGISTRY_INTERVAL = 60.0
EXPIRY_INTERVAL = timedelta(minutes=5)
DAILY_JOB = "officials-daily-digest"
# The catch-up looks this often whether the morning's run went out, so a run whose
# worker died is taken over soon after its lease (bot.handlers.jobs.JOB_LEASE) ends.
CATCH_UP_INTERVAL = 300.0
# Hotline tickets' reminders and escalations are checked this often (the shortest
# deadline is 2 hours, its reminder half an hour ahead).
TICKET_CHECK_INTERVAL = 120.0


def schedule_jobs(application: Application, services: Services) -> None:
    """Every job, in one place. A job that starts late (the machine was busy, the bot was
    restarting) still runs within ``MISFIRE_GRACE`` instead of APScheduler's default of one
    second, which would skip the morning's digest silently; missed runs coalesce into one.
    """
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("farmdock's jobs need python-telegram-bot[job-queue]")
    settings = services.settings

    def job(body: Callable[[Services], Awaitable[object]]) -> Callable[..., Awaitable[None]]:
        async def run(_context: ContextTypes.DEFAULT_TYPE) -> None:
            await body(services)
        run.__name__ = body.__name__
        return run

    queue.run_daily(job(jobs.morning_messages),
                    time=settings.digest_time.replace(tzinfo=settings.timezone),
                    name=DAILY_JOB, job_kwargs=JOB_KWARGS)
    queue.run_repeating(job(jobs.checks), interval=CHECK_INTERVAL, first=60,
                        name="officials-checks", job_kwargs=JOB_KWARGS)
    queue.run_repeating(job(jobs.expire), EXPIRY_INTERVAL, first=0, name="expire-listings")
    queue.run_repeating(job(jobs.catch_up), interval=CATCH_UP_INTERVAL, first=1,
                        name="officials-catch-up", job_kwargs=JOB_KWARGS)
    # 成交了吗: each side of an exchange asked a while after it (claimed per ask in storage).
    queue.run_repeating(job(jobs.ask_deals), interval=CHECK_INTERVAL, first=30,
                        name="ask-deals", job_kwargs=JOB_KWARGS)
    queue.run_repeating(job(jobs.ticket_deadlines), interval=TICKET_CHECK_INTERVAL, first=30,
                        name="ticket-deadlines", job_kwargs=JOB_KWARGS)
    # Price alerts, reminders and the bulletin, each once a day (outbox keys).
    queue.run_repeating(job(jobs.price_checks), interval=CATCH_UP_INTERVAL, first=30,
                        name="price-checks", job_kwargs=JOB_KWARGS)
    # The store survey: officers' mornings with the digest, reminders when reports are due.
    queue.run_daily(job(survey_jobs.officer_mornings),
                    time=settings.digest_time.replace(tzinfo=settings.timezone),
                    name="survey-officer-mornings", job_kwargs=JOB_KWARGS)
    queue.run_daily(job(survey_jobs.survey_deadline),
                    time=settings.survey_deadline.replace(tzinfo=settings.timezone),
                    name="survey-deadline", job_kwargs=JOB_KWARGS)
    # The emergency supplier registry, asked for needs the market did not cover.
    queue.run_repeating(job(registry.registry_check), interval=REGISTRY_INTERVAL, first=30,
                        name="registry-requests", job_kwargs=JOB_KWARGS)

    async def staff_menus(context: ContextTypes.DEFAULT_TYPE) -> None:
        # One call per official: in the background, so many officials never delay start-up.
        done = await menus.set_staff_menus(context.bot, services.db)
        log.info("command menus set for %d officials and admins", done)

    queue.run_once(staff_menus, when=0, name="staff-menus")


def build_application(
    settings: Settings, *, overall_max_rate: float | None = None, routes: Routes = ROUTES,
    reply_grace: float = REPLY_GRACE,
) -> Application:
    """The bot, ready to run. ``overall_max_rate`` caps messages per second over all chats
    for this process alone; by default Telegram's limit, shared by every worker on the
    database (each message takes its turn from the database's send clock;
    ``FARMDOCK_SEND_RATE``, Telegram's 30 a second unless set); 0 removes the
    cap on replies, for measuring against a fake server (the outbox keeps the limit).
    ``routes`` are :data:`ROUTES` unless a test adds to them; ``reply_grace`` is how long
    the outbox leaves a reply to the router before sending it itself.

    Replies and the outbox take every message from one send budget, replies first, so a
    broadcast never makes a user who just typed wait.
    """
    shared = overall_max_rate is None
    if overall_max_rate is None:
        overall_max_rate = settings.send_rate
    budget = SendBudget(overall_max_rate) if overall_max_rate else None
    router = Router(routes, lambda: application.bot_data[SERVICES_KEY],
                    reply_grace=reply_grace)

    async def post_init(application: Application) -> None:
        db = await Database.open(settings.database)
        index = ListingIndex(db)
        filed = await index.load()
        if shared and budget is not None:
            budget.share(DatabaseTurns(db, settings.send_rate))
        sender = start_outbox_sender(
            application, db, global_per_second=settings.send_rate, budget=budget,
            operator_chat_ids=settings.operator_chat_ids,
        )
        services = Services(settings, db, index, sender.wake, sender.worker_id,
                            bot_username=application.bot.username or "")
        application.bot_data[SERVICES_KEY] = services
        await menus.set_default_menu(application.bot)
        schedule_jobs(application, services)
        log.info("farmdock started: %d open listings in the matching index", filed)

    async def post_stop(application: Application) -> None:
        # Before shutdown closes the bot's HTTP client, which the sender uses.
        await router.close()
        await stop_outbox_sender(application)

    async def post_shutdown(application: Application) -> None:
        services: Services | None = application.bot_data.pop(SERVICES_KEY, None)
        if services is not None:
            await services.db.close()

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
        .rate_limiter(RetryingRateLimiter(budget, max_retries=RETRY_AFTER_RETRIES))
        # Updates of different chats run at once; one chat's in order (the database
        # serialises them across workers too).
        .concurrent_updates(PerUserUpdateProcessor())
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.add_handler(TypeHandler(Update, router))
    application.bot_data[ROUTER_KEY] = router
    return application


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
    db = await Database.open(settings.database)
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
        asyncio.get_event_loop().run_until_complete(_serve_webhook(application, settings))
    else:
        # bootstrap_retries=-1: once getMe worked, a dropped deleteWebhook is tried again
        # rather than ending the run with a traceback.
        application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1)


async def _serve_webhook(application: Application, settings: Settings) -> None:
    """Serve Telegram's webhook calls until SIGINT/SIGTERM, answering each only after
    its update is committed (see :mod:`bot.telegram.webhook`)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    assert settings.webhook_url is not None
    router: Router = application.bot_data[ROUTER_KEY]
    # Telegram calls the public https URL; the reverse proxy that ends TLS passes the
    # path on to listen:port, so the bot serves that same path.
    server = WebhookServer(
        bot=application.bot, process=router.process, updates=application.update_processor,
        path=urlsplit(settings.webhook_url).path, secret=settings.webhook_secret,
        listen=settings.webhook_listen, port=settings.webhook_port,
    )
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        server.start()
        # Every worker sets the webhook as it starts: updates waiting meanwhile are kept.
        await _set_webhook(application, settings, stop)
        await stop.wait()
    finally:
        await server.stop()
        if application.running:
            await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def _set_webhook(application: Application, settings: Settings, stop: asyncio.Event
                       ) -> None:
    """Tell Telegram where to call, trying again with back-off while it cannot be reached."""
    delay = FIRST_RETRY
    while not stop.is_set():
        try:
            await application.bot.set_webhook(
                url=settings.webhook_url or "", secret_token=settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES, drop_pending_updates=False,
            )
            return
        except NetworkError as error:
            if isinstance(error, BadRequest):
                raise
            log.warning("cannot set the webhook (%s); next try in %.0f s", error, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, LAST_RETRY)
