"""/mine: my open listings, each with 改数量, 改价格, 续期, 已成交 and 关闭."""

from __future__ import annotations

from datetime import date

from bot.handlers.common import member, refuse_press
from bot.handlers.request import Request
from bot.handlers.routing import Flow, Step
from bot.matching.parser import parse_post
from bot.services import actions, buttons
from bot.services import listings as service
from bot.services.listings import listing_summary
from bot.services.messages import Message
from bot.texts import listings as fmt
from bot.texts import my_listings as texts
from storage.records import Listing

FLOW_NAME = "edit_listing"
VALUE = "value"
# How many listings /mine shows, newest first.
SHOWN = 10


async def mine_command(req: Request) -> None:
    """/mine: one message per open listing, with its buttons."""
    account = member(req)
    if account is None:
        return
    own = await service.open_listings_of(req.uow, account.telegram_id)
    if not own:
        req.say(texts.NONE_OPEN)
        return
    req.say(texts.HEADER.format(count=len(own)))
    for listing in own[:SHOWN]:
        req.say(Message(_render(listing, req.today), buttons.my_listing(listing.id)))


def _render(listing: Listing, today: date) -> str:
    return texts.listing(listing.id, listing_summary(listing), listing.place.label(),
                         listing.valid_until, today)


async def listing_pressed(req: Request) -> None:
    """A button under one of my listings; only its owner's presses act, others are refused
    and audited, and a listing of theirs no longer open just says so."""
    assert req.press is not None
    matched = actions.LISTING_PATTERN.match(req.press.action)
    account = req.account
    if matched is None or account is None or account.status != "active":
        await refuse_press(req, "listing action from a non-member or bad data")
        return
    action, listing_id = matched.group(1), int(matched.group(2))
    ownership, listing = await service.listing_of_owner(req.uow, listing_id, account.telegram_id)
    if ownership == "not_yours":
        await refuse_press(req, "listing of another user")
        return
    if ownership == "gone" or listing is None:
        req.replies.toast(texts.GONE)
        return
    if action in ("qty", "price"):
        req.conversation.enter(FLOW_NAME, VALUE, {"id": listing.id, "field": action})
        ask = texts.ASK_QUANTITY if action == "qty" else texts.ASK_PRICE
        req.say(ask.format(id=listing.id))
    elif action == "renew":
        settings = req.services.settings
        renewed = await service.renew_listing(req.uow, listing, account.telegram_id,
                                              today=req.today, tz=settings.timezone)
        if renewed is not None:
            req.replies.edit(Message(_render(renewed, req.today),
                                     buttons.my_listing(renewed.id)))
            req.say(texts.RENEWED.format(until=fmt.valid_until(renewed.valid_until, req.today)))
    else:
        await service.close_listing(req.uow, listing, account.telegram_id,
                                    "done" if action == "done" else "closed")
        req.replies.edit(texts.DONE if action == "done" else texts.CLOSED)


async def value_typed(req: Request) -> None:
    """The new quantity or price of the listing being edited."""
    editing = req.conversation.data
    account = req.account
    listing = None
    if account is not None:
        ownership, listing = await service.listing_of_owner(req.uow, editing["id"],
                                                            account.telegram_id)
        if ownership != "open":
            listing = None
    if listing is None or account is None:
        req.conversation.end()
        req.say(texts.GONE)
        return
    parsed = parse_post(f"{listing.product} {req.text or ''}", req.today)
    field = "quantity" if editing["field"] == "qty" else "price"
    refused = parsed.field_errors.get("text") or parsed.field_errors.get(field)
    if refused:
        req.say(texts.REFUSED.format(reason=refused))
        return
    if editing["field"] == "qty":
        if parsed.quantity is None or parsed.unit != listing.unit:
            req.say(texts.NOT_UNDERSTOOD_QUANTITY)
            return
        updated = await service.change_listing(
            req.uow, listing, account.telegram_id,
            quantity=(parsed.quantity, parsed.quantity_as_written or parsed.quantity,
                      parsed.unit_as_written or parsed.unit or ""),
        )
    else:
        if parsed.price is None and parsed.price_bound != "negotiable":
            req.say(texts.NOT_UNDERSTOOD_PRICE)
            return
        updated = await service.change_listing(
            req.uow, listing, account.telegram_id,
            price=(parsed.price, parsed.price_unit, parsed.price_bound),
        )
    req.conversation.end()
    if updated is None:
        req.say(texts.GONE)
    else:
        req.say(Message(texts.UPDATED + "\n" + _render(updated, req.today),
                        buttons.my_listing(updated.id)))


# 改数量 and 改价格 wait for the typed value.
FLOW = Flow(name=FLOW_NAME, steps={VALUE: Step(text=value_typed)})
