"""The day's survey table as officials read it: plain lines, and an .xlsx workbook."""

from __future__ import annotations

import io

from openpyxl import Workbook

from bot.services.digest_files import text_cell
from bot.services.digest_text import number, to_plain
from bot.services.survey import SurveyDay
from bot.texts import survey as texts

STORE_COLUMNS = ("门店编号", "门店", "县区", "乡镇街道", "品种", "库存", "单位", "日均销量",
                 "可销售天数", "状态", "说明")
AREA_COLUMNS = ("县区", "品种", "报送门店", "可销售天数中位数", "偏紧", "告急", "断货")


def _unit(unit: str) -> str:
    return "公斤" if unit == "kg" else unit


def _days(value: float | None) -> str:
    return "—" if value is None else number(value)


def stock_lines(found: SurveyDay) -> list[str]:
    """The table as terminal lines: a header, each store's items, the area sums."""
    lines = [to_plain(texts.TABLE_HEAD.format(
        area=found.area.label, day=found.day.isoformat(), reported=found.reported,
        expected=found.expected))]
    for row in found.rows:
        s = row.stock
        lines.append(texts.TABLE_ROW.format(
            store=row.store.label, product=s.product, stock=number(s.stock),
            unit=_unit(s.stock_unit),
            sales="—" if s.avg_daily_sales is None else number(s.avg_daily_sales),
            days=_days(s.days_of_stock), status=s.status,
            reason=f"（{s.reason}）" if s.reason else ""))
    if found.areas:
        lines.append(texts.TABLE_AREAS)
    for a in found.areas:
        lines.append(texts.AREA_ROW.format(
            county=a.county, product=a.product, reporting=a.reporting,
            median=_days(a.median_days), tight=a.tight, emergency=a.emergency, out=a.out))
    return lines


def stock_workbook(found: SurveyDay) -> bytes:
    """An .xlsx with the stores' items on one sheet and the sums per area on another."""
    workbook = Workbook(write_only=True)
    stores = workbook.create_sheet("门店库存")
    stores.append(list(STORE_COLUMNS))
    for row in found.rows:
        s = row.stock
        stores.append([row.store.id, text_cell(stores, row.store.label), row.store.county,
                       row.store.township, s.product, s.stock, _unit(s.stock_unit),
                       None if s.avg_daily_sales is None else round(s.avg_daily_sales, 2),
                       None if s.days_of_stock is None else round(s.days_of_stock, 2),
                       s.status, s.reason])
    areas = workbook.create_sheet("县区汇总")
    areas.append(list(AREA_COLUMNS))
    for a in found.areas:
        areas.append([a.county, a.product, a.reporting,
                      None if a.median_days is None else round(a.median_days, 2),
                      a.tight, a.emergency, a.out])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
