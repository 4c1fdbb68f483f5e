"""What farmdock says, as plain data: the use cases make these, the Telegram edge sends them.

A :class:`Message` is HTML text (from :mod:`bot.texts`) with the actions it offers;
:func:`outgoing` puts one in the outbox for one chat, under a key that makes it once
only. Nothing here knows how Telegram encodes a keyboard:
``bot.telegram.payloads`` turns a message into a Bot API call, so the outbox keeps
messages in this form and any sender could deliver them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Literal

from storage.outbox import OutgoingMessage

AttachmentKind = Literal["document", "photo"]


@dataclass(frozen=True, slots=True)
class Button:
    """An action offered under a message: what it says and what pressing it asks for.

    ``action`` is built by :mod:`bot.services.actions` and parsed back, never trusted,
    by the handler the press reaches.
    """

    label: str
    action: str


Rows = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class ContactRequest:
    """Ask for the user's own phone number: a share button and, optionally, one to skip."""

    share: str
    skip: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message (the message's text becomes its caption)."""

    kind: AttachmentKind
    filename: str
    content: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class Message:
    """One message: HTML ``text`` and either inline ``buttons`` (rows) or a contact request."""

    text: str
    buttons: Rows = ()
    contact_request: ContactRequest | None = None
    # Take away a reply keyboard left by an earlier contact request.
    clear_keyboard: bool = False
    attachment: Attachment | None = None
    # Say it by replacing this earlier message of the chat (a pressed card becomes the
    # receipt) rather than in a new one.
    replaces: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as the outbox stores it."""
        out: dict[str, Any] = {"text": self.text}
        if self.buttons:
            out["buttons"] = [[[b.label, b.action] for b in row] for row in self.buttons]
        if self.contact_request is not None:
            out["contact_request"] = [self.contact_request.share, self.contact_request.skip]
        if self.clear_keyboard:
            out["clear_keyboard"] = True
        if self.replaces is not None:
            out["replaces"] = self.replaces
        if self.attachment is not None:
            out["attachment"] = {
                "kind": self.attachment.kind, "filename": self.attachment.filename,
                "data": base64.b64encode(self.attachment.content).decode("ascii"),
            }
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        attachment = data.get("attachment")
        contact = data.get("contact_request")
        return cls(
            text=data.get("text", ""),
            buttons=tuple(
                tuple(Button(label, action) for label, action in row)
                for row in data.get("buttons", ())
            ),
            contact_request=ContactRequest(*contact) if contact else None,
            clear_keyboard=bool(data.get("clear_keyboard")),
            replaces=data.get("replaces"),
            attachment=None if attachment is None else Attachment(
                attachment["kind"], attachment["filename"],
                base64.b64decode(attachment["data"]),
            ),
        )


def grid(buttons: list[Button], columns: int = 3) -> Rows:
    """Buttons laid out ``columns`` to a row."""
    return tuple(tuple(buttons[i : i + columns]) for i in range(0, len(buttons), columns))


def outgoing(key: str, chat_id: int, kind: str, message: Message,
             not_before: float = 0.0) -> OutgoingMessage:
    """An outbox row carrying ``message`` to ``chat_id``, once per ``key``."""
    return OutgoingMessage(key, chat_id, kind, message.to_dict(), not_before)
