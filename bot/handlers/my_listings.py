"""/mine: my open listings, each with 改数量, 改价格, 续期, 已成交 and 关闭."""

from __future__ import annotations

from datetime import date, datetime

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks, keyboards
from bot.handlers.common import (
    FarmContext,
    answer,
    canceller,
    edit,
    member,
    refuse_press,
    reply,
    typed_text,
)
from bot.matching.parser import parse_post
from bot.services import listings as service
from bot.services.listings import listing_summary
from bot.texts import listings as fmt
from bot.texts import my_listings as texts
from storage import listings as stored
from storage.records import StoredListing

EDITING = "editing"
_EDITING = "editing"
# How many listings /mine shows, newest first.
SHOWN = 10


async def mine_command(update: Update, context: FarmContext) -> None:
    """/mine: one message per open listing, with its buttons."""
    account = await member(update, context)
    if account is None:
        return
    own = await stored.user_listings(context.services.db, account.telegram_id)
    if not own:
        await reply(update, texts.NONE_OPEN)
        return
    await reply(update, texts.HEADER.format(count=len(own)))
    today = datetime.now(context.services.settings.timezone).date()
    for listing in own[:SHOWN]:
        await reply(update, _render(listing, today), keyboards.my_listing(listing.id))


def _render(listing: StoredListing, today: date) -> str:
    return texts.listing(listing.id, listing_summary(listing), listing.place.label(),
                         listing.valid_until_date, today)


async def _owned(update: Update, context: FarmContext) -> tuple[str, StoredListing] | None:
    """The action and the listing of a press, if the presser owns that open listing.

    Anything else (forged data, another user's listing) is refused and audited;
    a listing of theirs that is no longer open just says so.
    """
    query = update.callback_query
    assert query is not None
    matched = callbacks.LISTING_PATTERN.match(query.data or "")
    account = context.account
    if matched is None or account is None or account.status != "active":
        await refuse_press(update, context, "listing action from a non-member or bad data")
        return None
    action, listing_id = matched.group(1), int(matched.group(2))
    listing = await stored.get_listing(context.services.db, listing_id)
    if listing is None or listing.user_id != account.telegram_id:
        await refuse_press(update, context, "listing of another user")
        return None
    if listing.status != "open":
        await answer(query, texts.GONE)
        return None
    return action, listing


async def listing_pressed(update: Update, context: FarmContext) -> str | None:
    """A button under one of my listings."""
    owned = await _owned(update, context)
    if owned is None:
        return None
    action, listing = owned
    query = update.callback_query
    assert query is not None and context.user_data is not None
    services = context.services
    await answer(query)
    if action in ("qty", "price"):
        context.user_data[_EDITING] = {"id": listing.id, "field": action}
        ask = texts.ASK_QUANTITY if action == "qty" else texts.ASK_PRICE
        await reply(update, ask.format(id=listing.id))
        return EDITING
    if action == "renew":
        today = datetime.now(services.settings.timezone).date()
        renewed = await service.renew_listing(services.db, services.index, listing,
                                              listing.user_id, today=today,
                                              tz=services.settings.timezone)
        if renewed is not None:
            await edit(query, _render(renewed, today), keyboards.my_listing(renewed.id))
            await reply(update, texts.RENEWED.format(
                until=fmt.valid_until(renewed.valid_until_date, today)))
        return None
    await service.close_listing(services.db, services.index, listing, listing.user_id,
                                "done" if action == "done" else "closed")
    await edit(query, texts.DONE if action == "done" else texts.CLOSED)
    return None


async def value_typed(update: Update, context: FarmContext) -> str | int | None:
    """The new quantity or price of the listing being edited."""
    assert context.user_data is not None and update.effective_message is not None
    editing = context.user_data.get(_EDITING)
    account = context.account
    services = context.services
    listing = None
    if editing is not None and account is not None:
        listing = await service.owned_open_listing(services.db, editing["id"],
                                                   account.telegram_id)
    if listing is None:
        context.user_data.pop(_EDITING, None)
        await reply(update, texts.GONE)
        return ConversationHandler.END
    parsed = parse_post(f"{listing.product} {typed_text(update)}")
    field = "quantity" if editing["field"] == "qty" else "price"
    refused = parsed.field_errors.get("text") or parsed.field_errors.get(field)
    if refused:
        await reply(update, texts.REFUSED.format(reason=refused))
        return None
    if editing["field"] == "qty":
        if parsed.quantity is None or parsed.unit != listing.unit:
            await reply(update, texts.NOT_UNDERSTOOD_QUANTITY)
            return None
        updated = await service.change_listing(
            services.db, services.index, listing, listing.user_id,
            quantity=(parsed.quantity, parsed.unit, parsed.quantity_as_written or parsed.quantity,
                      parsed.unit_as_written or parsed.unit),
        )
    else:
        if parsed.price is None and parsed.price_bound != "negotiable":
            await reply(update, texts.NOT_UNDERSTOOD_PRICE)
            return None
        updated = await service.change_listing(
            services.db, services.index, listing, listing.user_id,
            price=(parsed.price, parsed.price_unit, parsed.price_bound),
        )
    context.user_data.pop(_EDITING, None)
    if updated is None:
        await reply(update, texts.GONE)
    else:
        today = datetime.now(services.settings.timezone).date()
        await reply(update, texts.UPDATED + "\n" + _render(updated, today),
                    keyboards.my_listing(updated.id))
    return ConversationHandler.END


def conversation() -> ConversationHandler:
    """Listing actions; 改数量 and 改价格 wait for the typed value (persisted)."""
    press = CallbackQueryHandler(listing_pressed, pattern=r"^lst:")
    return ConversationHandler(
        entry_points=[press],
        states={EDITING: [MessageHandler(filters.TEXT & ~filters.COMMAND, value_typed), press]},
        fallbacks=[CommandHandler("cancel", canceller(_EDITING))],
        name="my_listings",
        persistent=True,
    )


def handlers() -> list[CommandHandler | ConversationHandler]:
    return [CommandHandler("mine", mine_command), conversation()]
