"""/matches, the 我有意向 button, and the contact exchange it leads to."""

from __future__ import annotations

from collections.abc import Sequence

from bot.handlers.common import member, refuse_press
from bot.handlers.request import Request
from bot.services import actions, buttons, interest
from bot.services.listings import MatchView, matches_of_user
from bot.services.messages import Message
from bot.texts import matches as texts


def match_lines(views: Sequence[MatchView], start: int = 1) -> list[str]:
    """Numbered lines (from ``start``) of matches as their viewer sees them (no names, no
    phones), each with where the pair stands."""
    return [
        texts.match_line(
            n, view.summary(), view.other.place.label(), view.distance_text(), view.state,
            view.basis_note(),
        )
        for n, view in enumerate(views, start)
    ]


async def matches_command(req: Request) -> None:
    """/matches: the current matches of each of my open listings (a read: nothing is
    recorded until someone presses 我有意向)."""
    account = member(req)
    if account is None:
        return
    found = await matches_of_user(req.uow, req.services.index, account.telegram_id,
                                  now=req.now)
    if not found:
        req.say(texts.NO_OPEN_LISTINGS)
        return
    if not any(views for _, views in found):
        req.say(texts.NO_MATCHES)
        return
    for listing, views in found:
        if views:
            header = texts.matches_header(listing.kind, listing.product, listing.id)
            # ⭐ 关注 the product as well: its new listings are told whether or not they match.
            rows = (*buttons.numbered_interest([v.interest_action for v in views]),
                    *buttons.follow_product(listing.id, listing.product))
            req.say(Message("\n\n".join([header, *match_lines(views)]), rows))


async def interest_pressed(req: Request) -> None:
    """我有意向 on a recorded match (int:…) or a pair /matches showed (pair:…): only a side
    of it may press it; contacts go when both have."""
    assert req.press is not None
    account = req.account
    recorded = actions.INTEREST_PATTERN.match(req.press.action)
    pair = actions.PAIR_PATTERN.match(req.press.action)
    if account is None or account.status != "active" or (recorded is None and pair is None):
        await refuse_press(req, "interest from a non-member or bad data")
        return
    if recorded is not None:
        result = await interest.express_interest(req.uow, int(recorded.group(1)),
                                                 account.telegram_id)
    else:
        assert pair is not None
        result = await interest.express_interest_in_pair(
            req.uow, int(pair.group(1)), int(pair.group(2)), account.telegram_id, now=req.now
        )
    if result.outcome == "refused":
        await refuse_press(req, "interest in another user's match")
        return
    req.replies.toast({
        "waiting": texts.INTEREST_RECORDED,
        "exchanged": texts.INTEREST_EXCHANGED,
        "already": texts.INTEREST_ALREADY,
        "closed": texts.INTEREST_CLOSED,
    }[result.outcome])
    if result.outcome == "waiting" and not account.phone:
        req.say(Message(texts.PHONE_MISSING, contact_request=buttons.share_phone()))
