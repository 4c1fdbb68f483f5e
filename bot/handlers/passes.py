"""Transport passes in the bot: /pass (apply, step by step), officials' 批准/驳回/吊销,
/verify and a scanned code (/start p<token>), and /passes (an area's register).

Every press is checked again on the server (role, area, the pass's state); a press an
official may not make, or forged data, is refused and audited.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from bot.handlers.common import member, refuse_press, stale_press
from bot.handlers.officials import area_of, current_official
from bot.handlers.request import Request
from bot.handlers.routing import Flow, Step
from bot.matching.passes import (
    CrewMember,
    Endpoint,
    PassInputError,
    check_route,
    goods_categories,
    read_category,
    read_crew,
    read_endpoint,
    read_plate,
    read_validity,
    token_in,
)
from bot.matching.regions import get_gazetteer
from bot.services import actions, buttons
from bot.services import passes as service
from bot.services.messages import Attachment, Button, Message, grid
from bot.services.passes import PassApplication, PassRefused
from bot.texts import passes as texts

FLOW_NAME = "pass"
PLATE, CREW, CATEGORY, ORIGIN, DESTINATION, VALIDITY, CONFIRM = (
    "plate", "crew", "category", "origin", "destination", "validity", "confirm")
REASON_FLOW_NAME = "pass_reason"
REASON = "reason"


# ---------------------------------------------------------------- applying


async def pass_command(req: Request) -> None:
    """/pass: begin an application, if the caller may apply."""
    account = member(req)
    if account is None:
        return
    if not await service.may_apply(req.uow, account):
        req.say(texts.NOT_ALLOWED)
        return
    req.conversation.enter(FLOW_NAME, PLATE)
    req.say(texts.ASK_PLATE)


def _draft(req: Request) -> dict[str, Any]:
    return req.conversation.data


def _refused(req: Request, error: PassInputError) -> None:
    req.say(texts.input_error(error.code, error.params))


async def plate_typed(req: Request) -> None:
    try:
        _draft(req)["plate"] = read_plate(req.text or "")
    except PassInputError as error:
        _refused(req, error)
        return
    req.conversation.goto(CREW)
    req.say(texts.ASK_CREW)


async def crew_typed(req: Request) -> None:
    try:
        crew = read_crew(req.text or "")
    except PassInputError as error:
        _refused(req, error)
        return
    _draft(req)["crew"] = [[m.name, m.phone] for m in crew]
    req.conversation.goto(CATEGORY)
    req.say(Message(texts.ASK_CATEGORY, grid(
        [Button(c, actions.pass_step("cat", c)) for c in goods_categories()], 4)))


async def category_typed(req: Request) -> None:
    await _category_given(req, req.text or "")


async def _category_given(req: Request, typed: str) -> None:
    try:
        _draft(req)["category"] = read_category(typed)
    except PassInputError as error:
        _refused(req, error)
        return
    req.conversation.goto(ORIGIN)
    req.say(Message(texts.ASK_ORIGIN, _counties("from")))


def _counties(step: str) -> Any:
    return buttons.counties(lambda _press, county: actions.pass_step(step, county))


async def origin_typed(req: Request) -> None:
    await _end_given(req, ORIGIN, req.text or "")


async def destination_typed(req: Request) -> None:
    await _end_given(req, DESTINATION, req.text or "")


async def _end_given(req: Request, which: str, typed: str) -> None:
    draft = _draft(req)
    try:
        end = read_endpoint(typed)
        if which == DESTINATION:
            check_route(Endpoint(*draft["origin"]), end)
    except PassInputError as error:
        _refused(req, error)
        return
    draft[which] = [end.county, end.outside]
    if which == ORIGIN:
        req.conversation.goto(DESTINATION)
        req.say(Message(texts.ASK_DESTINATION, _counties("to")))
    else:
        req.conversation.goto(VALIDITY)
        req.say(texts.ASK_VALIDITY)


async def validity_typed(req: Request) -> None:
    draft = _draft(req)
    try:
        first, last = read_validity(req.text or "", req.today)
    except PassInputError as error:
        _refused(req, error)
        return
    draft["valid_from"], draft["valid_until"] = first.isoformat(), last.isoformat()
    req.conversation.goto(CONFIRM)
    app = _application(draft)
    summary = texts.summary(app.plate, [(m.name, m.phone) for m in app.crew], app.category,
                            app.origin.label, app.destination.label, draft["valid_from"],
                            draft["valid_until"])
    req.say(Message(texts.review(summary), grid([
        Button(texts.CONFIRM, actions.pass_step("ok")),
        Button(texts.CANCEL, actions.pass_step("cancel")),
    ], 2)))


def _application(draft: dict[str, Any]) -> PassApplication:
    return PassApplication(
        plate=draft["plate"], crew=tuple(CrewMember(n, p) for n, p in draft["crew"]),
        category=draft["category"], origin=Endpoint(*draft["origin"]),
        destination=Endpoint(*draft["destination"]),
        valid_from=date.fromisoformat(draft["valid_from"]),
        valid_until=date.fromisoformat(draft["valid_until"]),
    )


async def step_pressed(req: Request) -> None:
    """A button of the application: only the step the chat is at takes it."""
    assert req.press is not None
    matched = actions.PASS_STEP_PATTERN.match(req.press.action)
    step = req.conversation.step
    press, value = (matched.group(1), matched.group(2)) if matched else ("", "")
    counties = get_gazetteer().county_names()
    if step == CATEGORY and press == "cat" and value in goods_categories():
        await _category_given(req, value)
    elif step == ORIGIN and press == "from" and value in counties:
        await _end_given(req, ORIGIN, value)
    elif step == DESTINATION and press == "to" and value in counties:
        await _end_given(req, DESTINATION, value)
    elif step == CONFIRM and press == "ok":
        await _submit(req)
    elif press == "cancel" and value == "":
        req.conversation.end()
        req.replies.edit(texts.CANCELLED)
    elif matched is None:
        await refuse_press(req, "bad pass application data")
    else:
        await stale_press(req, "pass application button of another step")


async def _submit(req: Request) -> None:
    account = member(req)
    if account is None:
        return
    try:
        filed = await service.apply(req.uow, account, _application(_draft(req)), now=req.now)
    except PassRefused as refused:
        req.conversation.end()
        req.say(service.REFUSALS[refused.code])
        return
    except PassInputError as error:
        _refused(req, error)
        return
    req.conversation.end()
    deciders = await service.deciders_of(req.uow, filed)
    approvers = "、".join(sorted({u.county or "" for u in deciders})) or texts.NO_APPROVER_YET
    req.replies.edit(texts.SUBMITTED.format(id=filed.id, approvers=approvers))


# ---------------------------------------------------------------- deciding


async def decision_pressed(req: Request) -> None:
    """批准, 驳回 or 吊销 under a pass: only an official of its route acts."""
    assert req.press is not None
    matched = actions.PASS_DECISION_PATTERN.match(req.press.action)
    account = req.account
    if matched is None or account is None or account.status != "active" \
            or account.role != "official":
        await refuse_press(req, "pass decision from a non-official or bad data")
        return
    decision, pass_id = matched.group(1), int(matched.group(2))
    settings = req.services.settings
    try:
        if decision == "ok":
            issued = await service.approve(
                req.uow, account, pass_id, secret=settings.pass_secret,
                bot_username=req.services.bot_username, tz=settings.timezone, now=req.now)
            number = issued.record.number or ""
            req.replies.edit(Message(texts.APPROVED.format(number=number), grid(
                [Button(texts.REVOKE, actions.pass_decision("rv", pass_id))], 1)))
            return
        found = await service.decidable(req.uow, account, pass_id)
    except PassRefused as refused:
        await _refusal(req, refused)
        return
    if decision == "no" and found.status != "pending":
        req.replies.toast(texts.NOT_PENDING)
        return
    if decision == "rv" and found.status != "approved":
        req.replies.toast(texts.NOT_APPROVED)
        return
    req.conversation.enter(REASON_FLOW_NAME, REASON, {"id": pass_id, "decision": decision})
    req.say(texts.ASK_REJECT_REASON.format(id=pass_id) if decision == "no"
            else texts.ASK_REVOKE_REASON.format(number=found.number))


async def _refusal(req: Request, refused: PassRefused) -> None:
    if refused.code in ("not_yours", "not_found"):
        await refuse_press(req, f"pass decision refused: {refused.code}")  # audited
    else:
        req.replies.toast(service.REFUSALS[refused.code][:190])
        req.say(service.REFUSALS[refused.code])


async def reason_typed(req: Request) -> None:
    """The reason of a rejection or revocation: the use case checks the official again."""
    account = req.account
    data = req.conversation.data
    if account is None:
        req.conversation.end()
        return
    decide = service.reject if data.get("decision") == "no" else service.revoke
    try:
        done = await decide(req.uow, account, int(data["id"]), req.text or "", now=req.now)
    except PassRefused as refused:
        if refused.code == "bad_reason":
            req.say(texts.BAD_REASON)
            return
        req.conversation.end()
        req.say(service.REFUSALS[refused.code])
        return
    req.conversation.end()
    req.say(texts.REJECTED.format(id=done.id) if done.status == "rejected"
            else texts.REVOKED.format(number=done.number))


# ---------------------------------------------------------------- checking


async def verify_command(req: Request) -> None:
    """/verify <token>: anyone may check a pass (checkpoint officers need no account)."""
    if not req.args:
        req.say(texts.VERIFY_USAGE)
        return
    await verify_token(req, token_in(" ".join(req.args)))


async def verify_token(req: Request, token: str) -> None:
    """The answer to a scanned code or /verify: 有效 with the pass, or 无效 with why; crew
    phones only for officials. Every check is audited (who checked which pass)."""
    settings = req.services.settings
    try:
        found = await service.verify_now(req.uow, token[:200], secret=settings.pass_secret,
                                         tz=settings.timezone, now=req.now)
    except PassRefused:
        req.say(texts.NO_SECRET)
        return
    viewer = req.account
    staff = viewer is not None and viewer.status == "active" and viewer.is_staff
    await req.uow.audit.write(req.caller.id, "pass.verify",
                              f"pass:{found.record.id}" if found.record else None,
                              reason=found.reason or "valid")
    text = service.verification_text(found, phones=staff)
    rows: Any = ()
    if found.valid and found.record is not None and viewer is not None \
            and service.may_decide_on(viewer, found.record):
        rows = grid([Button(texts.REVOKE, actions.pass_decision("rv", found.record.id))], 1)
    req.say(Message(text, rows))


async def register_command(req: Request) -> None:
    """/passes: the register of the official's area as an Excel workbook (a read)."""
    official = current_official(req)
    if official is None:
        return
    area = area_of(official)
    found = await req.uow.passes.in_area(area)
    if not found:
        req.say(texts.REGISTER_EMPTY.format(area=area.label))
        return
    book = await asyncio.to_thread(service.register_workbook, found,
                                   req.services.settings.timezone)
    req.say(Message(texts.REGISTER_CAPTION.format(area=area.label, count=len(found)),
                    attachment=Attachment("document", f"passes-{req.today}.xlsx", book)))


FLOW = Flow(
    name=FLOW_NAME,
    steps={
        PLATE: Step(text=plate_typed),
        CREW: Step(text=crew_typed),
        CATEGORY: Step(text=category_typed),
        ORIGIN: Step(text=origin_typed),
        DESTINATION: Step(text=destination_typed),
        VALIDITY: Step(text=validity_typed),
        CONFIRM: Step(),
    },
    namespace="pass",
    press=step_pressed,
)
# 驳回 and 吊销 wait for the typed reason.
REASON_FLOW = Flow(name=REASON_FLOW_NAME, steps={REASON: Step(text=reason_typed)})
