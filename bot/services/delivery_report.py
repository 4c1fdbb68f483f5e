"""The delivery tasks into sealed areas on one day, for officials: open and late tasks,
and totals per sealed area (``farmdock deliveries`` and the officials' digest)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from bot.matching.area import Area
from bot.matching.clock import end_of_day, start_of_day
from bot.services.deliveries import is_late
from bot.services.digest_files import text_cell
from bot.services.digest_text import amount
from bot.texts import sealed_areas as texts
from bot.texts.html import esc
from storage.interfaces import UnitOfWork
from storage.sealed_areas import Delivery, SealedArea

AREA_COLUMNS = ("封控区编号", "名称", "级别", "乡镇", "任务", "待发车", "已发车", "已签收",
                "超时", "应送", "实收", "短缺", "单位")
TASK_COLUMNS = ("任务编号", "封控区编号", "产品", "应送", "单位", "收货点", "状态", "车牌",
                "实收", "短缺", "超时")
STATUS_NAMES = {"assigned": "待发车", "dispatched": "已发车", "received": "已签收"}


def _sum(values: Sequence[float | None]) -> float:
    return round(sum(v for v in values if v is not None), 6)


def _task_json(task: Delivery, late: bool) -> dict[str, Any]:
    return {"id": task.id, "area_id": task.area_id, "product": task.product,
            "quantity": task.quantity, "unit": task.unit, "point": task.point,
            "status": task.status, "plate": task.plate,
            "received_quantity": task.received_quantity, "shortfall": task.shortfall,
            "late": late}


def _area_json(area: SealedArea, tasks: Sequence[Delivery], late: set[int]) -> dict[str, Any]:
    units = sorted({t.unit for t in tasks if t.unit})
    return {"id": area.id, "name": area.name, "level": area.level,
            "township": area.township, "active": area.active, "tasks": len(tasks),
            "assigned": sum(t.status == "assigned" for t in tasks),
            "dispatched": sum(t.status == "dispatched" for t in tasks),
            "received": sum(t.status == "received" for t in tasks),
            "late": sum(t.id in late for t in tasks),
            "quantity": _sum([t.quantity for t in tasks]),
            "received_quantity": _sum([t.received_quantity for t in tasks]),
            "shortfall": _sum([t.shortfall for t in tasks]), "unit": "、".join(units)}


async def delivery_report(uow: UnitOfWork, day: date, tz: ZoneInfo, *, late_hours: float,
                          now: float, region: Area | None = None,
                          area_id: int | None = None) -> dict[str, Any]:
    """The day's tasks (open at its end, or received that day) of the sealed areas in
    ``region`` (or the one ``area_id``), late as at the day's end or ``now``, whichever
    comes first; areas in declaring order."""
    since, until = start_of_day(day, tz), end_of_day(day, tz)
    at = min(now, until)
    areas = [a for a in await uow.sealed_areas.listed(region)
             if area_id is None or a.id == area_id]
    tasks = await uow.sealed_areas.deliveries_in([a.id for a in areas], since, until)
    late = {t.id for t in tasks if is_late(t, at, late_hours)}
    shown = [a for a in areas if a.active or any(t.area_id == a.id for t in tasks)]
    return {
        "date": day.isoformat(),
        "areas": [_area_json(a, [t for t in tasks if t.area_id == a.id], late) for a in shown],
        "deliveries": [_task_json(t, t.id in late) for t in tasks],
    }


def deliveries_workbook(report: dict[str, Any]) -> bytes:
    """The report on two sheets: totals per sealed area, and every task."""
    workbook = Workbook(write_only=True)
    totals = workbook.create_sheet("封控区配送")
    totals.append(list(AREA_COLUMNS))
    for a in report["areas"]:
        totals.append([a["id"], text_cell(totals, a["name"]), a["level"], a["township"],
                       a["tasks"], a["assigned"], a["dispatched"], a["received"], a["late"],
                       a["quantity"], a["received_quantity"], a["shortfall"], a["unit"]])
    sheet = workbook.create_sheet("配送任务")
    sheet.append(list(TASK_COLUMNS))
    for t in report["deliveries"]:
        sheet.append([t["id"], t["area_id"], t["product"], t["quantity"], t["unit"] or "",
                      text_cell(sheet, t["point"]), STATUS_NAMES[t["status"]],
                      text_cell(sheet, t["plate"] or ""), t["received_quantity"],
                      t["shortfall"], "是" if t["late"] else ""])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def digest_section(report: dict[str, Any]) -> str | None:
    """The officials' digest part on directed delivery: per sealed area its tasks by
    state, the quantities asked and received, shortfalls and late tasks; None when the
    area has no sealed area with tasks."""
    areas = [a for a in report["areas"] if a["tasks"]]
    if not areas:
        return None
    tasks = report["deliveries"]
    lines = [texts.DIGEST_HEADING.format(
        areas=len(areas), tasks=len(tasks),
        open=sum(t["status"] != "received" for t in tasks),
        late=sum(t["late"] for t in tasks))]
    for a in areas:
        unit = a["unit"] if "、" not in a["unit"] else None
        shortfall = (texts.DIGEST_SHORTFALL.format(amount=amount(a["shortfall"], unit))
                     if a["shortfall"] else "")
        lines.append(texts.DIGEST_AREA.format(
            name=esc(a["name"]), level=a["level"], assigned=a["assigned"],
            dispatched=a["dispatched"], received=a["received"],
            quantity=amount(a["quantity"], unit),
            received_quantity=amount(a["received_quantity"], unit), shortfall=shortfall,
            late=texts.DIGEST_LATE.format(count=a["late"]) if a["late"] else ""))
        lines += [texts.DIGEST_LATE_TASK.format(
            id=t["id"], product=esc(t["product"]), amount=amount(t["quantity"], t["unit"]),
            point=esc(t["point"]), status=STATUS_NAMES[t["status"]])
            for t in tasks if t["area_id"] == a["id"] and t["late"]]
    return "\n".join(lines)
