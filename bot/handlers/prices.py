"""The daily price monitoring in the bot: officials add points and hand out reporter
links; a reporter sends one line of today's prices, sees what was understood, and
stores it (a declared flow); officials see which points are missing.

Every command re-checks the caller against the database: an official acts only within
their own area, a reporter only for points they are linked to (a link is not a role).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.handlers import registration
from bot.handlers.common import refuse_press, stale_press
from bot.handlers.officials import area_of, current_official
from bot.handlers.request import Request
from bot.handlers.routing import Flow, Step
from bot.matching.area import Area, AreaError, resolve_area
from bot.matching.basket import get_basket
from bot.matching.monitoring import Suspect
from bot.matching.reports import ReportItem, parse_report
from bot.services import actions
from bot.services.messages import Button, Message, grid
from bot.services.price_notices import prices_section
from bot.services.prices import (
    POINT_TYPES,
    PointError,
    add_point,
    check_report,
    find_point,
    store_items,
)
from bot.services.prices_text import money
from bot.texts import prices as texts
from bot.texts.html import esc
from storage.records import MonitoringPoint

FLOW_NAME = "prices"
CHOOSE, LINE, FORM, CONFIRM = "point", "line", "form", "confirm"
INVITE_PREFIX = "pt"


def _within(area: Area, inner: Area) -> bool:
    """Whether ``inner`` lies inside ``area``."""
    if area.county is None:
        return True
    if inner.county != area.county:
        return False
    return area.township is None or inner.township == area.township


def _link(req: Request, code: str) -> str | None:
    username = req.services.bot_username
    return f"https://t.me/{username}?start={code}" if username else None


async def add_point_command(req: Request) -> None:
    """/addpoint 名称 类型 [地区]: an official adds a point in their area and gets a link."""
    official = current_official(req)
    if official is None:
        return
    if len(req.args) < 2 or req.args[1] not in POINT_TYPES:
        req.say(texts.ADD_POINT_USAGE)
        return
    own = area_of(official)
    try:
        area = resolve_area(" ".join(req.args[2:])) if len(req.args) > 2 else own
    except AreaError as error:
        req.say(esc(str(error)))
        return
    if not _within(own, area):
        req.say(texts.POINT_OUTSIDE_AREA.format(region=esc(area.label), area=esc(own.label)))
        return
    try:
        point = await add_point(req.uow, name=req.args[0], type=req.args[1], area=area,
                                now=req.now, by=req.caller.id)
    except PointError as error:
        req.say(esc(str(error)))
        return
    code = await req.uow.prices.create_invite(point.id, req.caller.id, req.now)
    link = _link(req, code)
    req.say(texts.POINT_ADDED.format(name=esc(point.name), id=point.id, type=point.type,
                                     region=esc(point.area.label),
                                     link=esc(link or texts.NO_BOT_USERNAME)))


async def _own_point(req: Request, ref: str, area: Area) -> MonitoringPoint | None:
    try:
        point = await find_point(req.uow, ref)
    except PointError:
        return None
    return point if _within(area, point.area) else None


async def point_link_command(req: Request) -> None:
    """/pointlink 编号或名称: another one-time reporter link for a point of the area."""
    official = current_official(req)
    if official is None:
        return
    if not req.args:
        req.say(texts.POINT_LINK_USAGE)
        return
    ref = " ".join(req.args)
    point = await _own_point(req, ref, area_of(official))
    if point is None:
        req.say(texts.POINT_NOT_YOURS.format(ref=esc(ref)))
        return
    code = await req.uow.prices.create_invite(point.id, req.caller.id, req.now)
    req.say(texts.POINT_LINK.format(name=esc(point.name),
                                    link=esc(_link(req, code) or texts.NO_BOT_USERNAME)))


async def points_command(req: Request) -> None:
    """/points: the area's points, reported today or not."""
    official = current_official(req)
    if official is None:
        return
    area = area_of(official)
    points = await req.uow.prices.points(area)
    if not points:
        req.say(texts.POINTS_NONE)
        return
    reported = await req.uow.prices.reported_points(req.today.isoformat())
    lines = [texts.POINTS_TITLE.format(area=esc(area.label), day=req.today.isoformat())]
    for p in points:
        line = texts.POINT_REPORTED if p.id in reported else texts.POINT_MISSING
        lines.append(line.format(name=esc(p.name), id=p.id))
    req.say("\n".join(lines))


async def prices_command(req: Request) -> None:
    """/prices: today's prices of the area: alerts, biggest moves, missing points."""
    official = current_official(req)
    if official is None:
        return
    settings = req.services.settings
    req.say(await prices_section(req.uow, req.today, area_of(official), tz=settings.timezone,
                                 ratio=settings.price_sanity_ratio))


async def start(req: Request) -> None:
    """/start: a reporter's point link links the caller to the point; anything else is
    sign-up's."""
    code = req.args[0][:64] if req.args else ""
    # Only a code the point links know: an official's invite may start with pt too.
    if code.startswith(INVITE_PREFIX) and await req.uow.prices.invite(code) is not None:
        invite = await req.uow.prices.use_invite(code, req.caller.id, req.now)
        point = await req.uow.prices.point(invite.point_id) if invite else None
        if point is None or point.removed_at is not None:
            req.say(texts.POINT_INVITE_INVALID)
            return
        await req.uow.prices.link(point.id, req.caller.id, req.now)
        await req.uow.audit.write(req.caller.id, "point.link", f"point:{point.id}")
        req.say(texts.POINT_LINKED.format(name=esc(point.name)))
        return
    await registration.start(req)


# The report flow -----------------------------------------------------------------
async def report_command(req: Request) -> None:
    """/report: begin today's report (choosing the point when linked to several)."""
    points = await req.uow.prices.points_of(req.caller.id)
    if not points:
        req.say(texts.NOT_A_REPORTER)
        return
    if len(points) == 1:
        await _ask_line(req, points[0])
        return
    req.conversation.enter(FLOW_NAME, CHOOSE)
    req.say(Message(texts.CHOOSE_POINT, grid(
        [Button(p.name, actions.prices("pt", p.id)) for p in points], 1)))


async def _ask_line(req: Request, point: MonitoringPoint, *, edit: bool = False) -> None:
    """Ask for the line, offering the form and (when there is one) the last report again."""
    day = req.today.isoformat()
    req.conversation.enter(FLOW_NAME, LINE, {"point": point.id, "day": day})
    last = await req.uow.prices.last_day_before(point.id, day)
    row = [Button(texts.FORM_START, actions.prices("form"))]
    if last:
        row.append(Button(texts.SAME_AS_LAST.format(day=last[0].day[5:]),
                          actions.prices("same")))
    message = Message(texts.ASK_LINE.format(day=day, point=esc(point.name)), (tuple(row),))
    if edit:
        req.replies.edit(message)
    else:
        req.say(message)


def _form_message(req: Request, last: dict[str, tuple[float, str]]) -> Message:
    """The form's question about the item it is at."""
    basket = get_basket().items
    index = req.conversation.data["index"]
    item = basket[index]
    text = texts.FORM_ITEM.format(n=index + 1, total=len(basket), product=item.product,
                                  spec=esc(item.spec), unit=texts.unit_label(item.unit))
    row = [Button(texts.FORM_SKIP, actions.prices("skip"))]
    if item.product in last:
        price, unit = last[item.product]
        text += "\n" + texts.FORM_LAST.format(price=money(price), unit=texts.unit_label(unit))
        row.append(Button(texts.FORM_SAME.format(price=money(price)), actions.prices("prev")))
    return Message(text, (tuple(row), (Button(texts.FORM_DONE, actions.prices("done")),)))


async def _last_prices(req: Request, point: MonitoringPoint) -> dict[str, tuple[float, str]]:
    rows = await req.uow.prices.last_day_before(point.id, req.conversation.data["day"])
    return {r.product: (r.price, r.price_unit) for r in rows}


async def _form_next(req: Request, point: MonitoringPoint, *, edit: bool) -> None:
    """Move the form on: the next item's question, or the card after the last item."""
    data = req.conversation.data
    if data["index"] >= len(get_basket().items):
        await _show_card(req, point, _items(data), [], edit=edit)
        return
    message = _form_message(req, await _last_prices(req, point))
    if edit:
        req.replies.edit(message)
    else:
        req.say(message)


async def form_typed(req: Request) -> None:
    """A price typed into the form, for the item it is at."""
    point = await _linked_point(req)
    if point is None:
        req.conversation.end()
        req.say(texts.NOT_A_REPORTER)
        return
    data = req.conversation.data
    item = get_basket().items[data["index"]]
    report = parse_report(f"{item.product} {req.text or ''}")
    if len(report.items) != 1 or report.errors:
        req.say(texts.FORM_BAD_PRICE.format(errors=esc("；".join(report.errors) or "")))
        return
    _put(data, report.items[0])
    data["index"] += 1
    await _form_next(req, point, edit=False)


def _put(data: dict[str, Any], item: ReportItem) -> None:
    rows = [r for r in data.get("items", []) if r[0] != item.product]
    data["items"] = [*rows, [item.product, item.price, item.price_unit, item.sales,
                             item.sales_unit]]


async def _linked_point(req: Request) -> MonitoringPoint | None:
    """The flow's point, if the caller is still linked to it and it is live."""
    point_id = req.conversation.data.get("point")
    if not isinstance(point_id, int):
        return None
    return next((p for p in await req.uow.prices.points_of(req.caller.id) if p.id == point_id),
                None)


def _items(data: dict[str, Any]) -> list[ReportItem]:
    return [ReportItem(*row) for row in data.get("items", [])]


async def line_typed(req: Request) -> None:
    """A report line: show what was understood, with what to check, and the buttons."""
    point = await _linked_point(req)
    if point is None:
        req.conversation.end()
        req.say(texts.NOT_A_REPORTER)
        return
    report = parse_report(req.text or "")
    if not report.ok:
        req.say(texts.REPORT_NOT_READ.format(errors=esc("\n".join(report.errors))))
        return
    await _show_card(req, point, report.items, report.errors)


async def _show_card(req: Request, point: MonitoringPoint, items: list[ReportItem],
                     notes: list[str], *, edit: bool = False) -> None:
    """What will be stored, with the questions about it and the buttons."""
    if not items:
        await _ask_line(req, point, edit=edit)
        req.say(texts.FORM_NOTHING)
        return
    day = date.fromisoformat(req.conversation.data["day"])
    suspects = await check_report(req.uow, point, day, items)
    req.conversation.data["items"] = [
        [i.product, i.price, i.price_unit, i.sales, i.sales_unit] for i in items]
    # Twice the last price: typed per 公斤 where the basket counts per 500 g.
    req.conversation.data["mixups"] = [s.product for s in suspects if s.reason == "mixup"
                                       and s.price > (s.previous or 0)]
    req.conversation.goto(CONFIRM)
    card = _card(point, day.isoformat(), items, notes, suspects,
                 bool(req.conversation.data["mixups"]))
    if edit:
        req.replies.edit(card)
    else:
        req.say(card)


async def _form_pressed(req: Request, press: str) -> None:
    """The form's buttons, and 全部同上次 on the question for the line."""
    point = await _linked_point(req)
    if point is None:
        req.conversation.end()
        await refuse_press(req, "price report for a point no longer linked")
        return
    data = req.conversation.data
    if press == "form":
        data["index"], data["items"] = 0, []
        req.conversation.goto(FORM)
        await _form_next(req, point, edit=True)
        return
    last = await _last_prices(req, point)
    if press == "same":
        if not last:
            req.replies.toast(texts.NO_LAST_REPORT)
            return
        basket = get_basket()
        items = [ReportItem(product, price, unit) for product, (price, unit) in last.items()
                 if basket.get(product) is not None]
        await _show_card(req, point, items, [], edit=True)
        return
    if press == "done":
        await _show_card(req, point, _items(data), [], edit=True)
        return
    item = get_basket().items[data["index"]]
    if press == "prev":
        if item.product not in last:
            await stale_press(req, "same-as-last for an item without a last price")
            return
        price, unit = last[item.product]
        _put(data, ReportItem(item.product, price, unit))
    data["index"] += 1
    await _form_next(req, point, edit=True)


def _card(point: MonitoringPoint, day: str, items: list[ReportItem], notes: list[str],
          suspects: list[Suspect], per_kilo: bool) -> Message:
    basket = get_basket()
    lines = []
    for i in items:
        sales = "" if i.sales is None else texts.REPORT_SALES.format(
            sales=f"{i.sales:g}", unit=i.sales_unit or "")
        lines.append(texts.REPORT_ITEM.format(product=i.product, price=money(i.price),
                                              unit=texts.unit_label(i.price_unit), sales=sales))
    text = texts.REPORT_CARD.format(point=esc(point.name), day=day, lines="\n".join(lines))
    if notes:
        text += texts.REPORT_NOTES.format(notes=esc("；".join(notes)))
    for s in suspects:
        item = basket.get(s.product)
        if s.reason == "mixup":
            text += texts.REPORT_MIXUP.format(product=s.product, price=money(s.price),
                                              unit=texts.unit_label(s.unit),
                                              previous=money(s.previous or 0))
        else:
            text += texts.REPORT_RANGE.format(product=s.product, price=money(s.price),
                                              unit=texts.unit_label(s.unit),
                                              low=money(item.low if item else 0),
                                              high=money(item.high if item else 0))
    if per_kilo:
        first = [Button(texts.REPORT_PER_JIN, actions.prices("ok")),
                 Button(texts.REPORT_PER_KG, actions.prices("kg"))]
    else:
        first = [Button(texts.REPORT_CONFIRM, actions.prices("ok"))]
    return Message(text, (tuple(first), (Button(texts.REPORT_AGAIN, actions.prices("again")),
                                         Button(texts.REPORT_CANCEL, actions.prices("no")))))


async def pressed(req: Request) -> None:
    """A button of the report flow: only the step the chat is at takes it."""
    assert req.press is not None
    matched = actions.PRICES_PATTERN.match(req.press.action)
    step = req.conversation.step
    if matched is None:
        await refuse_press(req, "malformed price report button")
        return
    press, value = matched.group(1), matched.group(2)
    if step == CHOOSE and press == "pt" and value:
        point = next((p for p in await req.uow.prices.points_of(req.caller.id)
                      if p.id == int(value)), None)
        if point is None:
            await refuse_press(req, "price report for a point not linked")
            return
        await _ask_line(req, point, edit=True)
        return
    if (step == LINE and press in ("form", "same")) or (
            step == FORM and press in ("skip", "prev", "done")):
        await _form_pressed(req, press)
        return
    if step != CONFIRM or press not in ("ok", "kg", "again", "no"):
        await stale_press(req, "price report button of another step")
        return
    point = await _linked_point(req)
    if point is None:
        req.conversation.end()
        await refuse_press(req, "price report for a point no longer linked")
        return
    if press == "no":
        req.conversation.end()
        req.replies.edit(texts.REPORT_CANCELLED)
        return
    if press == "again":
        await _ask_line(req, point, edit=True)
        return
    items = _items(req.conversation.data)
    if press == "kg":
        # The ×2 prices were per 公斤: halve them into the basket's 500 g.
        mixed = set(req.conversation.data.get("mixups", []))
        items = [ReportItem(i.product, round(i.price / 2, 4), i.price_unit, i.sales,
                            i.sales_unit) if i.product in mixed and i.price_unit == "500g"
                 else i for i in items]
    day = date.fromisoformat(req.conversation.data["day"])
    before = {r.product for r in await req.uow.prices.day_of(point.id, day.isoformat())}
    stored = await store_items(req.uow, point, day, items, reported_by=req.caller.id,
                               source="bot", now=req.now)
    req.conversation.end()
    text = texts.REPORT_SAVED.format(point=esc(point.name), day=day.isoformat(), count=stored)
    corrected = len(before & {i.product for i in items})
    if corrected:
        text += texts.REPORT_CORRECTED.format(count=corrected)
    req.replies.edit(text)


FLOW = Flow(name=FLOW_NAME, steps={CHOOSE: Step(), LINE: Step(text=line_typed),
                                   FORM: Step(text=form_typed), CONFIRM: Step(text=line_typed)},
            namespace="prc", press=pressed)

