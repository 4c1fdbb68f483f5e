"""Telegram's webhook calls, each answered only once its update is processed and committed.

python-telegram-bot's own webhook server answers 200 as soon as an update is queued,
so a worker killed with updates in its queue loses them: Telegram heard they were
delivered. Here a call waits for its update: 200 once the router has committed the
update's effects (a handler's failure counts too: it is rolled back, answered and
recorded, and would fail again); 500 when the update could not be processed at all
(the database unreachable), so that Telegram delivers it again, to this worker or
another. A second delivery of an update already committed changes nothing: the
router records update ids in the same unit of work as their effects.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Bot, Update
from telegram.ext import BaseUpdateProcessor
from tornado.httpserver import HTTPServer

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# An update is a few kilobytes; anything near this is not Telegram.
MAX_BODY_BYTES = 1 << 20

ProcessUpdate = Callable[[Update, Bot], Awaitable[None]]


class WebhookServer:
    """Serves ``path`` on ``listen:port``; ``process`` handles one update whole."""

    def __init__(
        self, *, bot: Bot, process: ProcessUpdate, updates: BaseUpdateProcessor,
        path: str, secret: str | None, listen: str, port: int,
    ) -> None:
        self._in_flight: set[asyncio.Task[None]] = set()
        shared = {"bot": bot, "process": process, "updates": updates, "secret": secret,
                  "in_flight": self._in_flight}
        app = tornado.web.Application([(rf"/{path.strip('/')}/?", _TelegramCall, shared)])
        self._server = HTTPServer(app, max_body_size=MAX_BODY_BYTES)
        self._listen, self._port = listen, port

    def start(self) -> None:
        self._server.listen(self._port, address=self._listen)

    async def stop(self) -> None:
        """Take no new calls; let the updates being processed finish and be answered."""
        self._server.stop()
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        await self._server.close_all_connections()


class _TelegramCall(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(  # type: ignore[override]
        self, bot: Bot, process: ProcessUpdate, updates: BaseUpdateProcessor,
        secret: str | None, in_flight: set[asyncio.Task[None]],
    ) -> None:
        self._bot, self._process, self._updates = bot, process, updates
        self._secret, self._in_flight = secret, in_flight

    async def post(self) -> None:
        if not self._authentic():
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        update = self._update()
        # A task of its own: a call Telegram drops (its timeout) does not cancel an update
        # half-way, and stopping the server waits for it.
        task = asyncio.get_running_loop().create_task(self._handle(update))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        try:
            await asyncio.shield(task)
        except Exception:
            log.exception("update %s not processed; Telegram will deliver it again",
                          update.update_id)
            raise tornado.web.HTTPError(HTTPStatus.INTERNAL_SERVER_ERROR) from None
        self.set_status(HTTPStatus.OK)

    async def _handle(self, update: Update) -> None:
        # Through the update processor: one chat's updates in order, as in polling.
        await self._updates.process_update(update, self._process(update, self._bot))

    def _authentic(self) -> bool:
        if self.request.headers.get("Content-Type", "").split(";")[0] != "application/json":
            return False
        if self._secret is None:
            return True
        given = self.request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(given.encode(), self._secret.encode())

    def _update(self) -> Update:
        try:
            data: Any = json.loads(self.request.body)
            update = Update.de_json(data, self._bot)
        except Exception as error:
            log.warning("a webhook call that is not an update: %s", error)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if update is None:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        return update

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        # The refusals above are answers, not errors; what failed is logged where it did.
        if not isinstance(value, tornado.web.HTTPError):
            super().log_exception(typ, value, tb)
