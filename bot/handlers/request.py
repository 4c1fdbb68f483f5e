"""What a handler sees of an update, and how it answers: no Telegram types here.

The router (``bot.telegram.router``) turns each Telegram update into a
:class:`Request` — who sent it, what it says, the chat's conversation, the open
unit of work — runs the one handler it routes to, commits, and only then sends
the :class:`Replies` the handler collected. So nothing is said before what it says
is stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from bot.matching.clock import local_today
from bot.services.messages import Message
from storage.interfaces import UnitOfWork
from storage.records import Conversation, User

if TYPE_CHECKING:
    from bot.services.runtime import Services


@dataclass(frozen=True, slots=True)
class Caller:
    """The Telegram user an update came from."""

    id: int
    full_name: str
    username: str | None = None


@dataclass(frozen=True, slots=True)
class Press:
    """A button press: what the button asks for (never trusted) and the message it was on."""

    action: str
    message_id: int | None


@dataclass(frozen=True, slots=True)
class SharedContact:
    """A contact shared in the chat; ``user_id`` is whose it is (None: not a Telegram user)."""

    phone: str
    user_id: int | None


# What a message can carry that the bot does not read (voice, photo, sticker …).
MediaKind = str


@dataclass(slots=True)
class Replies:
    """What the handler says, sent in order after the update's unit of work commits.

    ``edit`` replaces the message a pressed button was on; ``toast`` answers the press
    (the little note Telegram shows); every press is answered, with a toast or without.
    """

    sends: list[tuple[str, Message]] = field(default_factory=list)
    toast_text: str | None = None
    # Someone who just became staff: their chat gets the staff command menu.
    menu_for: User | None = None

    def say(self, message: Message | str) -> None:
        self.sends.append(("send", _message(message)))

    def edit(self, message: Message | str) -> None:
        self.sends.append(("edit", _message(message)))

    def toast(self, text: str) -> None:
        self.toast_text = text


def _message(message: Message | str) -> Message:
    return message if isinstance(message, Message) else Message(message)


@dataclass(slots=True)
class Request:
    """One update, as a handler sees it, with everything the handler may use."""

    update_id: int
    chat_id: int
    caller: Caller
    services: Services
    uow: UnitOfWork
    conversation: Conversation
    account: User | None = None
    text: str | None = None
    command: str | None = None
    args: tuple[str, ...] = ()
    press: Press | None = None
    contact: SharedContact | None = None
    media: MediaKind | None = None
    replies: Replies = field(default_factory=Replies)
    # Seconds since the epoch; handlers read time from here, so tests can set it.
    clock: Callable[[], float] = time.time

    @property
    def now(self) -> float:
        return self.clock()

    @property
    def today(self) -> date:
        """The date in the platform's time zone."""
        return local_today(self.services.settings.timezone, self.now)

    def say(self, message: Message | str) -> None:
        self.replies.say(message)
