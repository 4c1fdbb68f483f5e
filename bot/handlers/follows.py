"""关注: /follow a product (optionally within an area), /following, and their buttons."""

from __future__ import annotations

from bot.handlers.common import member, refuse_press
from bot.handlers.request import Request
from bot.matching.text import clean_text
from bot.services import actions, buttons, follows
from bot.services.follows import FollowResult, area_label
from bot.services.messages import Message
from bot.texts import follows as texts
from bot.texts.html import esc


async def follow_command(req: Request) -> None:
    """/follow 大白菜 [宝丰县]: follow a product, within an area if one is given."""
    account = member(req)
    if account is None:
        return
    cap = req.services.settings.follow_notices_per_day
    words = [clean_text(w) for w in req.args if clean_text(w)]
    if not words:
        req.say(texts.USAGE.format(cap=cap))
        return
    result = await follows.follow(req.uow, account, words[0], "".join(words[1:]) or None)
    _say_followed(req, result, words)


def _say_followed(req: Request, result: FollowResult, words: list[str]) -> None:
    cap = req.services.settings.follow_notices_per_day
    account = req.account
    if result.outcome == "not_for_role":
        req.say(texts.NOT_FOR_ROLE)
    elif result.outcome == "unknown_product":
        req.say(texts.UNKNOWN_PRODUCT.format(product=esc(words[0][:20])))
    elif result.outcome == "unknown_area":
        req.say(texts.UNKNOWN_AREA.format(area=esc("".join(words[1:])[:30])))
    elif result.outcome == "outside_area":
        assert result.area is not None and account is not None
        req.say(texts.OUTSIDE_OWN_AREA.format(own=esc(account.area.label),
                                              area=esc(result.area.label)))
    else:
        assert result.area is not None and result.follow is not None
        req.say(Message(texts.followed(result.product, area_label(result.area),
                                       result.outcome == "followed", cap),
                        buttons.unfollow(result.follow.id)))


async def following_command(req: Request) -> None:
    """/following: what I follow, each with a button to stop."""
    account = member(req)
    if account is None:
        return
    mine = await req.uow.follows.of_user(account.telegram_id)
    if not mine:
        req.say(texts.NONE)
        return
    lines = [texts.following_line(n, f.product, area_label(f.area)) for n, f in enumerate(mine, 1)]
    req.say(Message(texts.following(lines), buttons.numbered_unfollow([f.id for f in mine])))


async def follow_pressed(req: Request) -> None:
    """⭐ 关注 under a match list (fol:add:<listing>) or 取消关注 (fol:rm:<follow>): only
    for the caller's own listing or follow."""
    assert req.press is not None
    matched = actions.FOLLOW_PATTERN.match(req.press.action)
    account = req.account
    if matched is None or account is None or account.status != "active":
        await refuse_press(req, "follow press from a non-member or bad data")
        return
    action, target = matched.group(1), int(matched.group(2))
    if action == "add":
        result = await follows.follow_listing_product(req.uow, account, target)
        if result is None:
            await refuse_press(req, "follow of another user's listing")
            return
        _say_followed(req, result, [result.product])
        return
    if await req.uow.follows.remove(target, account.telegram_id):
        req.replies.toast(texts.REMOVED)
        req.say(texts.REMOVED)
        return
    if await req.uow.follows.get(target) is not None:
        await refuse_press(req, "unfollow of another user's follow")
        return
    req.replies.toast(texts.GONE)
