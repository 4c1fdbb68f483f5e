"""The daily price table as an Excel workbook; no cell is ever a formula."""

from __future__ import annotations

import io

from openpyxl import Workbook

from bot.matching.basket import get_basket
from bot.matching.monitoring import PriceTable
from bot.services.digest_files import text_cell
from bot.texts import prices as texts


def table_workbook(table: PriceTable) -> bytes:
    """Sheet 价格 (one row per item) and sheet 预警 (one row per alert)."""
    basket = get_basket()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("价格")
    sheet.append([texts.TABLE_TITLE.format(region=table.region, day=table.day.isoformat())])
    sheet.append(list(texts.WORKBOOK_COLUMNS))
    for item in table.items:
        spec = basket.get(item.product)
        counties = "；".join(f"{c} {v:.2f}" for c, v in item.by_county.items())
        values: list[object] = [
            item.product, item.category, spec.spec if spec else "",
            texts.unit_label(item.unit), item.avg, item.min, item.max, item.points,
            item.change_1d_pct, item.change_7d_pct, counties]
        sheet.append([text_cell(sheet, v) if isinstance(v, str) else v for v in values])
    alerts = workbook.create_sheet("预警")
    alerts.append(list(texts.WORKBOOK_ALERT_COLUMNS))
    for a in table.alerts:
        values = [a.product, a.region, texts.rule_label(a.rule), a.change_pct]
        alerts.append([text_cell(alerts, v) if isinstance(v, str) else v for v in values])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
