"""Supply-assurance officers in the bot: /todo (an officer's list), /assign (a city or county
official assigns an officer to a store of their area)."""

from __future__ import annotations

import re

from bot.handlers.common import member, refuse_press
from bot.handlers.request import Request
from bot.handlers.routing import Flow, Step
from bot.services import officers as service
from bot.services.messages import Button, Message, grid, outgoing
from bot.texts import survey as texts
from bot.texts.html import esc

ASSIGN_FLOW = "assign_officer"
PICKING = "picking"
NAMESPACE = "asg"
# asg:store:<store id> | asg:off:<store id>:<official id>
_STORE = re.compile(r"^asg:store:(\d{1,12})$")
_OFFICIAL = re.compile(r"^asg:off:(\d{1,12}):(\d{1,19})$")
SHOWN = 30


async def todo_command(req: Request) -> None:
    """/todo: the officer's list for today."""
    account = member(req)
    if account is None:
        return
    if account.role not in ("official", "admin"):
        req.say(texts.TODO_ONLY_OFFICIALS)
        return
    todo = await service.officer_todo(req.uow, account, req.today, req.now)
    req.say(service.render_todo(todo))


async def assign_command(req: Request) -> None:
    """/assign: the stores of the caller's area to choose from (unassigned first)."""
    account = member(req)
    if account is None:
        return
    if not (account.role == "admin" or (account.role == "official"
                                        and account.area.township is None)):
        req.say(texts.ASSIGN_ONLY_OFFICIALS)
        return
    stores = await req.uow.survey.stores_in(account.area)
    if not stores:
        req.say(texts.ASSIGN_NO_STORES)
        return
    officers = await req.uow.survey.officers_of([s.id for s in stores])
    stores.sort(key=lambda s: (s.id in officers, s.id))
    req.conversation.enter(ASSIGN_FLOW, PICKING, {})
    req.say(Message(texts.ASSIGN_PICK_STORE, grid(
        [Button(("✓ " if s.id in officers else "") + s.label, f"{NAMESPACE}:store:{s.id}")
         for s in stores[:SHOWN]], 1)))


async def assign_pressed(req: Request) -> None:
    """A store, then an official: every press re-checked (role, area) before it acts."""
    assert req.press is not None
    account = req.account
    action = req.press.action
    if account is None or account.status != "active":
        await refuse_press(req, "assignment by a non-member")
        return
    if (chosen := _STORE.match(action)) is not None:
        store = await req.uow.survey.get_store(int(chosen.group(1)))
        if store is None or not account.area.contains(store.place):
            await refuse_press(req, "assignment of a store outside the caller's area")
            return
        candidates = [o for o in await req.uow.users.officials_covering(
            store.county, store.township) if o.status == "active"]
        if not candidates:
            req.replies.edit(texts.ASSIGN_NO_OFFICIALS)
            req.conversation.end()
            return
        req.replies.edit(Message(texts.ASSIGN_PICK_OFFICIAL.format(store=esc(store.label)), grid(
            [Button(o.display_name[:30], f"{NAMESPACE}:off:{store.id}:{o.telegram_id}")
             for o in candidates[:SHOWN]], 2)))
        return
    if (picked := _OFFICIAL.match(action)) is None:
        await refuse_press(req, "bad assignment data")
        return
    store = await req.uow.survey.get_store(int(picked.group(1)))
    official = await req.uow.users.get(int(picked.group(2)))
    if store is None or official is None:
        await refuse_press(req, "assignment of an unknown store or official")
        return
    refused = await service.assign(req.uow, store, official, account, req.now)
    if refused is not None:
        await refuse_press(req, "assignment not allowed")
        return
    req.conversation.end()
    req.replies.edit(texts.ASSIGNED.format(official=esc(official.display_name),
                                           store=esc(store.label)))
    await req.uow.outbox.enqueue([outgoing(
        f"survey-officer:{store.id}:{official.telegram_id}:{int(req.now)}",
        official.telegram_id, "survey_officer",
        Message(texts.YOU_ARE_OFFICER.format(store=esc(store.label))))])


# The flow takes no text: only its buttons, while the chat is in it.
FLOW = Flow(name=ASSIGN_FLOW, steps={PICKING: Step()}, namespace=NAMESPACE,
            press=assign_pressed)
