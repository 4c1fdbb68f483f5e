"""/matches, the 我有意向 button, and the contact exchange it leads to."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks, keyboards
from bot.handlers.common import FarmContext, answer, member, refuse_press, reply
from bot.services import interest
from bot.services.listings import MatchView, matches_of_user
from bot.texts import matches as texts


def match_lines(views: Sequence[MatchView]) -> list[str]:
    """Numbered lines of matches as their viewer sees them (no names, no phones), each
    with where the pair stands."""
    return [
        texts.match_line(
            n, view.summary(), view.other.place.label(), view.distance_text(), view.state,
            view.basis_note(),
        )
        for n, view in enumerate(views, 1)
    ]


async def matches_command(update: Update, context: FarmContext) -> None:
    """/matches: the current matches of each of my open listings."""
    account = await member(update, context)
    if account is None:
        return
    services = context.services
    found = await matches_of_user(services.db, services.index, account.telegram_id)
    if not found:
        await reply(update, texts.NO_OPEN_LISTINGS)
        return
    if not any(views for _, views in found):
        await reply(update, texts.NO_MATCHES)
        return
    for listing, views in found:
        if views:
            header = texts.matches_header(listing.kind, listing.product, listing.id)
            await reply(update, "\n\n".join([header, *match_lines(views)]),
                        keyboards.numbered_interest(
                            [v.match.id if v.awaits_viewer else None for v in views]))


async def interest_pressed(update: Update, context: FarmContext) -> None:
    """我有意向: only a side of the match may press it; contacts go when both have."""
    query = update.callback_query
    assert query is not None
    matched = callbacks.INTEREST_PATTERN.match(query.data or "")
    if matched is None or context.account is None or context.account.status != "active":
        await refuse_press(update, context, "interest from a non-member or bad data")
        return
    services = context.services
    result = await interest.express_interest(
        services.db, int(matched.group(1)), context.account.telegram_id,
        wake=services.wake_outbox,
    )
    if result.outcome == "refused":
        await refuse_press(update, context, "interest in another user's match")
        return
    message = {
        "waiting": texts.INTEREST_RECORDED,
        "exchanged": texts.INTEREST_EXCHANGED,
        "already": texts.INTEREST_ALREADY,
        "closed": texts.INTEREST_CLOSED,
    }[result.outcome]
    await answer(query, message)
    if result.outcome == "waiting" and not context.account.phone:
        await reply(update, texts.PHONE_MISSING, keyboards.share_phone())


def handlers() -> list[CommandHandler | CallbackQueryHandler]:
    return [
        CommandHandler("matches", matches_command),
        CallbackQueryHandler(interest_pressed, pattern=r"^int:"),
    ]
