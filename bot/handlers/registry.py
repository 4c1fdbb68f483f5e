"""The emergency supplier registry's request cards: 能供应 / 不能 / 能供应部分, pressed by a
supplier's linked user or by an official recording a call; every press is re-checked."""

from __future__ import annotations

import time

from bot.handlers.common import refuse_press
from bot.handlers.request import Request
from bot.handlers.routing import Flow, Step
from bot.matching.survey import read_amount
from bot.services import actions
from bot.services import registry_requests as service
from bot.services.digest_text import amount
from bot.services.runtime import Services
from bot.texts import suppliers as texts
from bot.texts.html import esc

PART_FLOW = "registry_part"
VALUE = "value"


def _unit(unit: str | None) -> str:
    return "公斤（或斤、吨）" if unit in (None, "kg") else unit


async def request_pressed(req: Request) -> None:
    """One of the three answers on a request card (or a call card)."""
    assert req.press is not None
    matched = actions.SUPPLIER_REQUEST_PATTERN.match(req.press.action)
    account = req.account
    if matched is None or account is None:
        await refuse_press(req, "registry request answer from a non-member or bad data")
        return
    action, request_id = matched.group(1), int(matched.group(2))
    asked = await service.request_for(req.uow, request_id, account)
    if asked == "not_yours":
        await refuse_press(req, "registry request of a supplier the caller does not speak for")
        return
    if isinstance(asked, str):
        req.replies.toast(texts.REQUEST_GONE)
        return
    if asked.request.status != "asked":
        req.replies.toast(texts.ANSWERED_BEFORE)
        return
    if action == "part":
        req.conversation.enter(PART_FLOW, VALUE, {"request": request_id})
        req.say(texts.ASK_PART_QUANTITY.format(unit=_unit(asked.need.unit)))
        return
    await _record(req, asked, action, None)


async def part_typed(req: Request) -> None:
    """能供应部分: how much, in the need's unit."""
    account = req.account
    request_id = req.conversation.data.get("request")
    asked = (await service.request_for(req.uow, request_id, account)
             if account is not None and isinstance(request_id, int) else "gone")
    if isinstance(asked, str) or asked.request.status != "asked":
        req.conversation.end()
        req.say(texts.ANSWERED_BEFORE if not isinstance(asked, str) else texts.REQUEST_GONE)
        return
    read = read_amount(req.text or "")
    if read is None or read[1] != asked.need.unit:
        req.say(texts.PART_NOT_UNDERSTOOD.format(unit=_unit(asked.need.unit)))
        return
    req.conversation.end()
    await _record(req, asked, "part", read[0])


async def _record(req: Request, asked: service.Asked, action: str,
                  quantity: float | None) -> None:
    assert req.account is not None
    done = await service.answer(req.uow, req.services.index, asked, req.account, action,
                                quantity, today=req.today,
                                tz=req.services.settings.timezone, now=req.now)
    if not done.recorded:
        req.replies.toast(texts.ANSWERED_BEFORE)
        return
    name, said = esc(asked.supplier.name), service.ANSWERS[action]
    # A press turns the card into the receipt; a typed quantity gets a new message.
    say = req.replies.edit if req.press is not None else req.say
    if done.published is not None:
        offer = done.published.listing
        say(texts.OFFER_PUBLISHED.format(supplier=name, answer=said, id=offer.id,
                                             amount=amount(offer.quantity, offer.unit)))
    elif action != "no" and not asked.by_official and asked.need.status != "open":
        say(texts.NEED_CLOSED)
    else:
        say(texts.RECORDED.format(supplier=name, answer=said))


PART = Flow(name=PART_FLOW, steps={VALUE: Step(text=part_typed)})


async def registry_check(services: Services, *, now: float | None = None) -> int:
    """The job: take every need the market did not cover to the registry; rows added."""
    now = time.time() if now is None else now
    async with services.db.write() as uow:
        added = await service.ask_registry(uow, now, services.settings.registry_after_hours,
                                           services.registry)
        await uow.commit()
    if added:
        services.wake_outbox()
    return added
