"""The registry as the operator exports it: JSON records and an .xlsx whose first columns
are the import's own, so an exported file imports back unchanged."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from bot.matching.suppliers import Capacity
from bot.services.digest_files import text_cell
from bot.services.suppliers import IMPORT_COLUMNS, capacities_text
from storage.suppliers import Supplier

EXPORT_COLUMNS = (*IMPORT_COLUMNS, "编号", "关联用户")


def supplier_json(supplier: Supplier, capacities: Sequence[Capacity],
                  linked: Sequence[int]) -> dict[str, Any]:
    return {"id": supplier.id, "name": supplier.name, "type": supplier.type,
            "credit_code": supplier.credit_code, "county": supplier.county,
            "township": supplier.township, "contact": supplier.contact,
            "phone": supplier.phone, "flags": supplier.flag_list,
            "products": [{"product": c.product, "capacity": c.amount, "unit": c.unit,
                          "period": c.period} for c in capacities],
            "linked_users": list(linked)}


def suppliers_workbook(found: Sequence[dict[str, Any]]) -> bytes:
    """The suppliers (as :func:`supplier_json` gives them) on one sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("应急供应企业")
    sheet.append(list(EXPORT_COLUMNS))
    for s in found:
        capacities = [Capacity(p["product"], p["capacity"], p["unit"], p["period"])
                      for p in s["products"]]
        sheet.append([text_cell(sheet, s["name"]), s["type"], s["credit_code"] or "",
                      s["county"], s["township"] or "", text_cell(sheet, s["contact"]),
                      s["phone"] or "", capacities_text(capacities), "、".join(s["flags"]),
                      s["id"], "、".join(str(u) for u in s["linked_users"])])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
