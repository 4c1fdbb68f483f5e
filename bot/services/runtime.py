"""The long-lived services of the running bot, created in ``post_init``, kept in ``bot_data``."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.services.match_index import ListingIndex
from bot.services.registry_index import RegistryCache
from bot.settings import Settings
from storage.database import Database

SERVICES_KEY = "services"


@dataclass(frozen=True, slots=True)
class Services:
    """What handlers need besides the update: storage, the index and the outbox."""

    settings: Settings
    db: Database
    index: ListingIndex
    # Tells the outbox sender that rows were enqueued.
    wake_outbox: Callable[[], None]
    # Names this process in the claims it makes (outbox rows, job runs).
    worker_id: str = field(default_factory=lambda: default_worker_id())
    # The bot's @username from getMe: the t.me links it hands out (a pass's QR code,
    # a reporter's invite).
    bot_username: str = ""
    # The emergency supplier registry's index, rebuilt when the registry changes.
    registry: RegistryCache = field(default_factory=RegistryCache)


def default_worker_id() -> str:
    """A name for this process in claims: host, pid and a random part."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
