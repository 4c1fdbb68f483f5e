"""What every conversation shares: who may do what, /help, /cancel, refusals, the rest."""

from __future__ import annotations

import logging

from bot.handlers.request import Request
from bot.matching.area import CITY
from bot.matching.phones import normalize_phone
from bot.services import buttons, users
from bot.services.actions import POSTING_PATTERN, REGISTRATION_PATTERN
from bot.services.messages import Message
from bot.texts import common as texts
from bot.texts import officials as official_texts
from bot.texts import tickets as ticket_texts
from storage.records import User

log = logging.getLogger(__name__)

POSTS_PER_MINUTE = 20


async def blocked(req: Request) -> None:
    """A blocked user gets nothing done: a press is audited and answered (Telegram keeps
    its spinner turning otherwise) with a line about their own account only."""
    if req.press is not None:
        await users.refuse(req.uow, req.caller.id, req.press.action, "blocked user")
        req.replies.toast(texts.BLOCKED)


def member(req: Request) -> User | None:
    """The caller's active account, or None after telling them to sign up."""
    account = req.account
    if account is None or account.status != "active":
        req.say(texts.NOT_SIGNED_UP)
        return None
    return account


def trader(req: Request) -> User | None:
    """The caller if they may post listings (growers, buyers, admins)."""
    account = member(req)
    if account is not None and account.role == "official":
        req.say(texts.GROWERS_AND_BUYERS_ONLY)
        return None
    if account is not None and account.role in ("citizen", "hotline"):
        req.say(ticket_texts.NOT_A_TRADER)
        return None
    return account


def too_fast(req: Request) -> bool:
    """Count a post; True when the chat sent more than 20 in the last minute.

    The times live on the chat's conversation row, so every worker counts the same.
    """
    now = req.now
    recent = [t for t in req.conversation.recent_posts if now - t < 60]
    slow = len(recent) >= POSTS_PER_MINUTE
    if not slow:
        recent.append(now)
    req.conversation.recent_posts = recent
    return slow


async def refuse_press(req: Request, reason: str) -> None:
    """A button press the caller may not make: audit it and say so."""
    assert req.press is not None
    await users.refuse(req.uow, req.caller.id, req.press.action, reason)
    log.warning("refused callback %r from %s: %s", req.press.action, req.caller.id, reason)
    req.replies.toast(texts.REFUSED)


async def stale_press(req: Request, reason: str = "button of a step not in progress") -> None:
    """A button of a finished step: most likely an old message, possibly forged data.

    Nothing is done; the press is audited all the same, and the user told it expired.
    """
    assert req.press is not None
    await users.refuse(req.uow, req.caller.id, req.press.action, reason)
    req.replies.toast(texts.STALE_BUTTON)


async def unknown_press(req: Request) -> None:
    """A press no handler takes: an old button of a step (harmless) or forged data."""
    assert req.press is not None
    action = req.press.action
    if POSTING_PATTERN.match(action) or REGISTRATION_PATTERN.match(action):
        await stale_press(req)
    else:
        await refuse_press(req, "unknown callback data")


async def help_command(req: Request) -> None:
    """/help for the caller's role: posting for growers and buyers, the digest, /short and
    escalations for officials; admins, who may do both, read both."""
    account = req.account
    if account is not None and account.status == "active" and account.role in (
            "citizen", "hotline"):
        operator = f"\n\n{ticket_texts.OPERATOR_HELP}" if account.role == "hotline" else ""
        req.say(ticket_texts.FILER_HELP + operator)
        return
    if account is None or account.status != "active" or not account.is_staff:
        req.say(texts.HELP)
        return
    settings = req.services.settings
    area = account.area if account.role == "official" else CITY
    staff_help = official_texts.official_help(
        area.label, settings.digest_time.strftime("%H:%M"), settings.escalation_hours
    )
    staff_help += f"\n\n{ticket_texts.OFFICIAL_HELP}"
    req.say(staff_help if account.role == "official" else f"{texts.HELP}\n\n{staff_help}")


async def cancel_command(req: Request) -> None:
    """/cancel: end the conversation in progress, forgetting what it collected."""
    if req.conversation.flow is None:
        req.say(Message(texts.NOTHING_TO_CANCEL, clear_keyboard=True))
        return
    req.conversation.end()
    req.say(Message(texts.CANCELLED, clear_keyboard=True))


async def contact_shared(req: Request) -> None:
    """A shared phone number outside sign-up: keep it if it is the sender's own."""
    assert req.contact is not None
    account = member(req)
    if account is None:
        return
    if req.contact.user_id != account.telegram_id:
        req.say(Message(texts.CONTACT_NOT_OWN, contact_request=buttons.share_phone(skip=False)))
        return
    phone = normalize_phone(req.contact.phone)
    if phone is None:
        req.say(Message(texts.CONTACT_NOT_CHINESE, clear_keyboard=True))
        return
    await users.save_phone(req.uow, account.telegram_id, phone)
    req.say(Message(texts.CONTACT_SAVED, clear_keyboard=True))


async def media_sent(req: Request) -> None:
    """Voice, a photo, a file, a sticker or a location: say how to post instead of silence.

    The conversation is left as it is, so the next typed answer continues a step in
    progress (signing up, a draft's question).
    """
    account = req.account
    active = account is not None and account.status == "active"
    req.say(texts.media_hint(
        req.media or "document", account.role if account is not None and active else None,
        account.place.label() if account is not None and active else "",
    ))


async def unknown_command(req: Request) -> None:
    req.say(texts.UNKNOWN_COMMAND)
