"""Sealed areas in the bot: officials' /areas (with 解封), /declare, /designate, /receiver;
a delivery task's 已发车 (then the plate) and 已签收 (then the quantity received). Every
step re-checks the caller's role, area and part in the task."""

from __future__ import annotations

from bot.handlers.common import member, refuse_press
from bot.handlers.request import Request
from bot.handlers.routing import Flow, Step
from bot.matching.area import Area, AreaError, resolve_area
from bot.matching.survey import read_amount
from bot.services import actions, deliveries
from bot.services import sealed_areas as service
from bot.services.digest_text import amount
from bot.services.messages import Button, Message
from bot.texts import sealed_areas as texts
from bot.texts.html import esc
from storage.records import User
from storage.sealed_areas import SealedArea

DELIVERY_FLOW = "delivery"
PLATE = "plate"
RECEIVED = "received"


def _manager(req: Request, area: Area | None = None) -> User | None:
    """The caller when they may manage sealed areas (in ``area``, when given)."""
    account = member(req)
    if account is None:
        return None
    if not service.may_manage(account, area or account.area):
        req.say(texts.ONLY_AREA_OFFICIALS)
        return None
    return account


async def _line(req: Request, area: SealedArea) -> str:
    suppliers = await req.uow.sealed_areas.suppliers_of(area.id)
    receivers = await req.uow.sealed_areas.receivers_of(area.id)
    return texts.AREA_LINE.format(
        id=area.id, name=esc(area.name), level=area.level,
        place=esc(area.area.label), start=area.start,
        compounds=esc("、".join(area.compound_list) or "—"), suppliers=len(suppliers),
        receivers=len(receivers))


async def areas_command(req: Request) -> None:
    """/areas: the active sealed areas of the caller's area, each with 解封."""
    account = _manager(req)
    if account is None:
        return
    found = await req.uow.sealed_areas.listed(account.area, active_only=True)
    if not found:
        req.say(texts.AREAS_NONE.format(area=esc(account.area.label)))
        return
    req.say(texts.AREAS_HEAD.format(area=esc(account.area.label), count=len(found)))
    for area in found:
        req.say(Message(await _line(req, area), (
            (Button(texts.LIFT_BUTTON.format(id=area.id), actions.lift_area(area.id)),),)))


async def declare_command(req: Request) -> None:
    """/declare 名称 乡镇街道 级别 [小区,…]."""
    if member(req) is None:
        return
    if len(req.args) < 3:
        req.say(texts.DECLARE_USAGE)
        return
    name, region, level, *rest = req.args
    try:
        area = resolve_area(region)
    except AreaError:
        req.say(texts.BAD_REGION.format(region=esc(region)))
        return
    account = _manager(req, area)
    if account is None:
        return
    declared = await service.declare(
        req.uow, name=name, area=area, level=level, compounds_text=" ".join(rest),
        start=req.today.isoformat(), by=account.telegram_id, now=req.now)
    if isinstance(declared, str):
        req.say(esc(declared))
        return
    await req.uow.audit.write(account.telegram_id, "sealed_area.declared",
                              str(declared.id))
    req.say(texts.DECLARED.format(line=await _line(req, declared)))


async def _managed_area(req: Request, text: str) -> tuple[User, SealedArea] | None:
    if member(req) is None:
        return None
    area = await service.active_area(req.uow, text)
    if isinstance(area, str):
        req.say(esc(area))
        return None
    account = _manager(req, area.area)
    return None if account is None else (account, area)


async def designate_command(req: Request) -> None:
    """/designate 封控区编号 保供企业."""
    if len(req.args) < 2:
        req.say(texts.DESIGNATE_USAGE)
        return
    found = await _managed_area(req, req.args[0])
    if found is None:
        return
    _, area = found
    supplier = await service.designate(req.uow, area, " ".join(req.args[1:]), req.now)
    if isinstance(supplier, str):
        req.say(esc(supplier))
        return
    req.say(texts.DESIGNATED.format(supplier=esc(supplier.name), name=esc(area.name)))


async def receiver_command(req: Request) -> None:
    """/receiver 封控区编号 TelegramID 收货点."""
    if len(req.args) < 3 or not req.args[1].isdigit():
        req.say(texts.RECEIVER_USAGE)
        return
    found = await _managed_area(req, req.args[0])
    if found is None:
        return
    _, area = found
    point = " ".join(req.args[2:])
    user = await service.add_receiver(req.uow, area, int(req.args[1]), point, req.now)
    if isinstance(user, str):
        req.say(esc(user))
        return
    req.say(texts.RECEIVER_SET.format(user=esc(user.name or str(user.telegram_id)),
                                      name=esc(area.name), point=esc(point)))


async def lift_pressed(req: Request) -> None:
    """解封 under an area of /areas: only an official of the area's county or the city."""
    assert req.press is not None
    matched = actions.SEALED_AREA_PATTERN.match(req.press.action)
    account = req.account
    area = (await req.uow.sealed_areas.get(int(matched.group(1)))
            if matched is not None else None)
    if account is None or area is None or not service.may_manage(account, area.area):
        await refuse_press(req, "sealed area lift by a caller who may not manage it")
        return
    lifted = await service.lift(req.uow, req.services.index, area, by=account.telegram_id,
                                today=req.today, now=req.now)
    if isinstance(lifted, str):
        req.replies.toast(lifted)
        return
    await req.uow.audit.write(account.telegram_id, "sealed_area.lifted", str(area.id))
    req.replies.edit(texts.LIFTED.format(name=esc(area.name), count=lifted.rematched))


async def delivery_pressed(req: Request) -> None:
    """已发车 (the task's supplier) or 已签收 (its receiver); anyone else is refused."""
    assert req.press is not None
    matched = actions.DELIVERY_PATTERN.match(req.press.action)
    account = req.account
    if matched is None or account is None:
        await refuse_press(req, "delivery press from a non-member or bad data")
        return
    action, delivery_id = matched.group(1), int(matched.group(2))
    role: deliveries.Role = "supplier" if action == "go" else "receiver"
    task = await deliveries.task_for(req.uow, delivery_id, account, role)
    if task == "not_yours":
        await refuse_press(req, f"delivery press by someone not its {role}")
        return
    if task == "done":
        req.replies.toast(texts.TASK_GONE)
        return
    step = PLATE if role == "supplier" else RECEIVED
    req.conversation.enter(DELIVERY_FLOW, step, {"delivery": delivery_id})
    req.say(texts.ASK_PLATE if role == "supplier" else texts.ASK_RECEIVED)


async def _task(req: Request, role: deliveries.Role) -> deliveries.Delivery | None:
    delivery_id = req.conversation.data.get("delivery")
    task = (await deliveries.task_for(req.uow, delivery_id, req.account, role)
            if req.account is not None and isinstance(delivery_id, int) else "done")
    if isinstance(task, str):
        req.conversation.end()
        req.say(texts.TASK_GONE)
        return None
    return task


async def plate_typed(req: Request) -> None:
    """The plate after 已发车 (无: none)."""
    task = await _task(req, "supplier")
    if task is None:
        return
    req.conversation.end()
    typed = (req.text or "").strip()
    plate = None if typed in ("", texts.NO_PLATE) else typed
    if not await deliveries.dispatch(req.uow, task, plate, req.now):
        req.say(texts.TASK_GONE)
        return
    req.say(texts.DISPATCHED.format(id=task.id, plate=deliveries.plate_note(plate)))


async def received_typed(req: Request) -> None:
    """The quantity received after 已签收, in the task's unit."""
    task = await _task(req, "receiver")
    if task is None:
        return
    read = read_amount(req.text or "")
    unit = texts_unit(task.unit)
    if read is None or (task.unit is not None and read[1] != task.unit):
        req.say(texts.RECEIVED_NOT_UNDERSTOOD.format(unit=unit))
        return
    req.conversation.end()
    got = await deliveries.receive(req.uow, task, read[0], req.now)
    if got is None:
        req.say(texts.TASK_GONE)
        return
    shown = amount(got.received, task.unit)
    req.say(texts.RECEIVED_SHORT.format(id=task.id, received=shown,
                                        shortfall=amount(got.shortfall, task.unit))
            if got.shortfall else texts.RECEIVED.format(id=task.id, received=shown))


def texts_unit(unit: str | None) -> str:
    return "公斤、斤或吨" if unit in (None, "kg") else esc(unit)


FLOW = Flow(name=DELIVERY_FLOW, steps={PLATE: Step(text=plate_typed),
                                       RECEIVED: Step(text=received_typed)})
