"""成交了吗: the three answers under the question, and the quantity dealt."""

from __future__ import annotations

import html

from bot.handlers.common import refuse_press
from bot.handlers.request import Request
from bot.handlers.routing import Flow, Step
from bot.matching.deals import Amount, Price
from bot.matching.parser import parse_post
from bot.services import actions, buttons, deals
from bot.services.deals import DealResult
from bot.services.messages import Message
from bot.texts import deals as texts
from bot.texts import matches as match_texts

FLOW_NAME = "deal"
AMOUNT = "amount"


async def deal_pressed(req: Request) -> None:
    """成交了 / 还在谈 / 没成交 (deal:…), or the proposed quantity (deal:take:…): only a
    side of that match who was asked may answer; anyone else is refused and audited."""
    assert req.press is not None
    matched = actions.DEAL_PATTERN.match(req.press.action)
    account = req.account
    if matched is None or account is None or account.status != "active":
        await refuse_press(req, "deal answer from a non-member or bad data")
        return
    choice, match_id = matched.group(1), int(matched.group(2))
    if choice == "take":
        result = await deals.take_proposal(req.uow, match_id, account.telegram_id, req.now)
    else:
        result = await deals.answer(req.uow, match_id, account.telegram_id, choice, req.now)
    if result.outcome == "refused":
        await refuse_press(req, "deal answer about another user's match")
        return
    if result.outcome == "ask_amount":
        assert result.side is not None and result.proposal is not None
        proposal = result.proposal
        req.conversation.enter(FLOW_NAME, AMOUNT, {"match": match_id})
        rows = ()
        if proposal.amount is not None:
            label = texts.amount(proposal.amount)
            # A button label is plain text, not HTML.
            rows = buttons.deal_take(match_id, html.unescape(label))
        req.say(Message(texts.ask_amount(result.side.own.id, proposal.amount, proposal.price),
                        rows))
        return
    if req.conversation.in_flow(FLOW_NAME):
        req.conversation.end()
    _say_result(req, result)


async def amount_typed(req: Request) -> None:
    """The quantity (and perhaps the price) of 成交了, in the own listing's unit."""
    account = req.account
    match_id = int(req.conversation.data.get("match", 0))
    found = None if account is None else await deals.side_of(req.uow, match_id,
                                                              account.telegram_id)
    if found is None or account is None:
        req.conversation.end()
        req.say(texts.GONE)
        return
    own = found.own
    parsed = parse_post(f"{own.product} {req.text or ''}", req.today)
    refused = parsed.field_errors.get("text") or parsed.field_errors.get("quantity")
    if refused or parsed.quantity is None or parsed.unit is None:
        req.say(texts.NOT_UNDERSTOOD)
        return
    unit = own.unit or found.other.unit
    if unit is not None and parsed.unit != unit:
        name = match_texts.unit_name(unit, own.unit_as_written)
        req.say(texts.WRONG_UNIT.format(unit=name, example=f"3000{name}"))
        return
    price = None
    if parsed.price is not None and parsed.price_unit and parsed.price_bound not in (
            "negotiable", "free"):
        price = Price(parsed.price, parsed.price_unit)
    result = await deals.record_deal(req.uow, match_id, account.telegram_id,
                                     Amount(parsed.quantity, parsed.unit), price, req.now)
    req.conversation.end()
    _say_result(req, result)


def _say_result(req: Request, result: DealResult) -> None:
    if result.outcome == "recorded":
        req.say(texts.recorded(result.dealt, result.left))
        if result.left is not None and result.left.quantity == 0 and result.side is not None:
            own_id = result.side.own.id
            req.say(Message(texts.nothing_left(own_id), buttons.close_done(own_id)))
        return
    req.say({
        "final": texts.ALREADY,
        "talking": texts.TALKING,
        "talking_last": texts.TALKING_LAST,
        "no": texts.NOT_DONE,
    }[result.outcome])


# 成交了 waits for the typed quantity (the proposal's button works from anywhere).
FLOW = Flow(name=FLOW_NAME, steps={AMOUNT: Step(text=amount_typed)})
