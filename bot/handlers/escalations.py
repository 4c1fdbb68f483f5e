"""The buttons of a ⚠️ 缺口提醒: the best candidates for the need, and 已协调. Only an
official whose area holds the need acts; every press is re-checked."""

from __future__ import annotations

from bot.handlers.common import refuse_press
from bot.handlers.request import Request
from bot.services import actions
from bot.services import coordination as service
from bot.texts import survey as texts


async def escalation_pressed(req: Request) -> None:
    """👀 候选供应 or ✅ 已协调 on an escalation."""
    assert req.press is not None
    matched = actions.ESCALATION_PATTERN.match(req.press.action)
    account = req.account
    if matched is None or account is None:
        await refuse_press(req, "escalation action from a non-member or bad data")
        return
    action, listing_id = matched.group(1), int(matched.group(2))
    need = await service.need_for_official(req.uow, listing_id, account)
    if need == "not_yours":
        await refuse_press(req, "escalation of a need outside the caller's area")
        return
    if isinstance(need, str):
        req.replies.toast(texts.ESCALATION_GONE)
        return
    if action == "cand":
        found = await service.candidates(req.uow, req.services.index, need, req.now)
        req.say(service.candidates_text(need, found))
        return
    done = await service.acknowledge(req.uow, need, account, req.now)
    req.replies.toast(texts.COORDINATED_DONE if done else texts.COORDINATED_BEFORE)
    if done:
        req.say(texts.COORDINATED_DONE)
