"""The table of real-looking survey reports (reports.txt) and what each must parse to.

Expected amounts are written as a person reads them (20吨, 500箱) and converted here with
a table of our own, so the parser's unit code is not its own judge: weights to kilograms,
count units kept as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("reports.txt")
_KG = {"斤": 0.5, "公斤": 1.0, "千克": 1.0, "吨": 1000.0}
_AMOUNT = re.compile(r"^(?P<n>\d+(?:\.\d+)?)(?P<u>.+)$")
_BASIS = {"avg": "daily_average", "today": "today", "-": None}


@dataclass(frozen=True, slots=True)
class Report:
    line: int
    text: str
    items: tuple[dict[str, Any], ...]
    unknown: tuple[str, ...]
    errors: int


def _amount(written: str) -> tuple[float | None, str | None]:
    if written == "-":
        return None, None
    found = _AMOUNT.match(written)
    assert found, written
    value, unit = float(found["n"]), found["u"]
    return (value * _KG[unit], "kg") if unit in _KG else (value, unit)


def _item(written: str) -> dict[str, Any]:
    product, _, rest = written.partition("=")
    stock, sales, basis = (part.strip() for part in rest.split(","))
    stock_value, stock_unit = _amount(stock)
    sales_value, sales_unit = _amount(sales)
    return {"product": product.strip(), "stock": stock_value, "stock_unit": stock_unit,
            "sales": sales_value, "sales_unit": sales_unit, "sales_basis": _BASIS[basis]}


def load_reports() -> list[Report]:
    reports = []
    for number, raw in enumerate(TABLE.read_text("utf-8").splitlines(), start=1):
        if raw.startswith("#") or not raw.strip():
            continue  # a comment or a blank line; " || - || - || 1" is an empty report
        parts = [p.strip() for p in raw.split("||")]
        assert len(parts) == 4, f"line {number}: {raw}"
        text, items, unknown, errors = parts
        reports.append(Report(
            line=number, text=text,
            items=tuple(_item(i) for i in items.split(";")) if items != "-" else (),
            unknown=tuple(u.strip() for u in unknown.split(";")) if unknown != "-" else (),
            errors=int(errors),
        ))
    return reports
