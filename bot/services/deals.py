"""Use cases of 成交了吗: ask each side of an exchange, record its answer and the effects.

A day (``FARMDOCK_DEAL_ASK_HOURS``) after two sides exchanged contacts, each is asked
once; one who says 还在谈 is asked once more a day later, and nobody more than twice
about one match. The ask is claimed in storage and its question enqueued in the same
unit of work (key ``deal:{match}:{side}:{ask}``), so several workers and restarts ask
each side exactly once per ask.

An answer and its effects are one unit of work: the answer row, the own listing's
remaining quantity (only the presser's own listing), and the question whether to close
it when nothing is left. Callback data is never trusted: the presser must own one side
of that match, and must have been asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.matching.deals import Amount, Prefill, Price, prefill, remaining
from bot.services import buttons
from bot.services.listings import listing_summary
from bot.services.messages import Message, outgoing
from bot.texts import deals as texts
from storage.deals import Side
from storage.interfaces import UnitOfWork
from storage.outbox import OutgoingMessage
from storage.records import Listing, MatchRecord

# 还在谈 is asked once more this long after it was said.
TALKING_AGAIN_HOURS = 24.0
DEAL_KIND = "deal"

Outcome = Literal["refused", "final", "talking", "talking_last", "no", "ask_amount",
                  "recorded"]


async def enqueue_deal_questions(uow: UnitOfWork, now: float, ask_hours: float) -> int:
    """Ask every side due now (see the module docstring); return outbox rows added."""
    due = await uow.deals.due(now - ask_hours * 3600, now - TALKING_AGAIN_HOURS * 3600)
    if not due:
        return 0
    found = await uow.listings.get_many(
        sorted({i for d in due for i in (d.match.need_id, d.match.offer_id)}))
    people = await uow.users.by_ids(sorted({x.user_id for x in found.values()}))
    questions: list[OutgoingMessage] = []
    for item in due:
        need, offer = found.get(item.match.need_id), found.get(item.match.offer_id)
        if need is None or offer is None:
            continue
        if not await uow.deals.claim_ask(item.match.id, item.side, item.ask, now):
            continue  # another worker asked meanwhile
        own, other = (need, offer) if item.side == "need" else (offer, need)
        owner, counterpart = people.get(own.user_id), people.get(other.user_id)
        # A user who left or was blocked is not asked (the ask counts all the same).
        if owner is None or owner.status != "active" or counterpart is None:
            continue
        text = texts.question(own.kind, own.product, own.id, listing_summary(other),
                              counterpart.display_name, second=item.ask > 1)
        questions.append(outgoing(
            f"deal:{item.match.id}:{item.side}:{item.ask}", owner.telegram_id, DEAL_KIND,
            Message(text, buttons.deal_question(item.match.id))))
    return await uow.outbox.enqueue(questions)


@dataclass(frozen=True, slots=True)
class DealSide:
    """The presser's side of a match: their listing and the other one."""

    match: MatchRecord
    side: Side
    own: Listing
    other: Listing


@dataclass(frozen=True, slots=True)
class DealResult:
    outcome: Outcome
    side: DealSide | None = None
    proposal: Prefill | None = None
    dealt: Amount | None = None
    # What is left of the own listing (None: nothing was lowered).
    left: Amount | None = None


async def side_of(uow: UnitOfWork, match_id: int, user_id: int) -> DealSide | None:
    """The side of match ``match_id`` that ``user_id`` owns; None when neither is theirs."""
    match = await uow.matches.get(match_id)
    if match is None:
        return None
    pair = await uow.listings.get_many([match.need_id, match.offer_id])
    need, offer = pair.get(match.need_id), pair.get(match.offer_id)
    if need is None or offer is None:
        return None
    if need.user_id == user_id:
        return DealSide(match, "need", need, offer)
    if offer.user_id == user_id:
        return DealSide(match, "offer", offer, need)
    return None


async def answer(uow: UnitOfWork, match_id: int, user_id: int, choice: str, now: float
                 ) -> DealResult:
    """还在谈, 没成交, or 成交了 (which asks for the quantity, with a proposal)."""
    found = await side_of(uow, match_id, user_id)
    if found is None:
        return DealResult("refused")
    row = await uow.deals.get(match_id, found.side)
    if row is None:
        return DealResult("refused", found)  # never asked: a forged press
    if row.answer in ("done", "no"):
        return DealResult("final", found)
    if choice == "done":
        return DealResult("ask_amount", found, proposal=prefill(found.own, found.other))
    if choice == "talk":
        await uow.deals.answer(match_id, found.side, "talking", now)
        return DealResult("talking" if row.asks < 2 else "talking_last", found)
    await uow.deals.answer(match_id, found.side, "no", now)
    return DealResult("no", found)


async def take_proposal(uow: UnitOfWork, match_id: int, user_id: int, now: float
                        ) -> DealResult:
    """成交了 with the proposed quantity and price, recomputed from the listings now."""
    found = await side_of(uow, match_id, user_id)
    if found is None:
        return DealResult("refused")
    proposal = prefill(found.own, found.other)
    return await record_deal(uow, match_id, user_id, proposal.amount, proposal.price, now)


async def record_deal(
    uow: UnitOfWork, match_id: int, user_id: int, dealt: Amount | None, price: Price | None,
    now: float,
) -> DealResult:
    """成交了 with what this side dealt: the answer, and the own listing lowered by it."""
    found = await side_of(uow, match_id, user_id)
    if found is None:
        return DealResult("refused")
    recorded = await uow.deals.answer(
        match_id, found.side, "done", now,
        quantity=dealt.quantity if dealt else None, unit=dealt.unit if dealt else None,
        price=price.value if price else None, price_unit=price.unit if price else None)
    if not recorded:
        row = await uow.deals.get(match_id, found.side)
        return DealResult("refused" if row is None else "final", found)
    own = found.own
    left = remaining(own, dealt) if dealt is not None and own.status == "open" else None
    if left is None:
        return DealResult("recorded", found, dealt=dealt)
    assert dealt is not None and own.quantity is not None
    written = own.quantity_as_written
    changes: dict[str, float] = {"quantity": left}
    if written is not None and own.quantity > 0:
        changes["quantity_as_written"] = written * left / own.quantity
    updated = await uow.listings.update(own.id, user_id, **changes)
    return DealResult("recorded", found, dealt=dealt,
                      left=Amount(left, dealt.unit) if updated is not None else None)
