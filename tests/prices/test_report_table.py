"""The report parser on the table of real-looking report lines in ``reports.tsv``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.matching.reports import parse_report

TABLE = Path(__file__).with_name("reports.tsv")


def _rows() -> list[tuple[int, str, str, str, str]]:
    rows = []
    for number, raw in enumerate(TABLE.read_text("utf-8").split("\n"), start=1):
        if not raw or raw.startswith("#"):
            continue
        line, items, unknown, errors = [*raw.split("\t"), "", "", ""][:4]
        rows.append((number, line, items.strip(), unknown.strip(), errors.strip()))
    return rows


ROWS = _rows()


def _expected_items(text: str) -> list[tuple]:
    items = []
    for part in filter(None, (p.strip() for p in text.split("|"))):
        fields = part.split()
        sales = (float(fields[3]), fields[4]) if len(fields) == 5 else (None, None)
        items.append((fields[0], float(fields[1]), fields[2], *sales))
    return items


def test_the_table_holds_at_least_150_lines() -> None:
    assert len(ROWS) >= 150


@pytest.mark.parametrize(("number", "line", "items", "unknown", "errors"), ROWS,
                         ids=[f"line{r[0]}" for r in ROWS])
def test_report_line(number: int, line: str, items: str, unknown: str, errors: str) -> None:
    report = parse_report(line)
    got = [(i.product, i.price, i.price_unit, i.sales, i.sales_unit) for i in report.items]
    expected = _expected_items(items)
    assert len(got) == len(expected), (got, report.errors)
    for g, e in zip(got, expected, strict=True):
        assert (g[0], g[2], g[4]) == (e[0], e[2], e[4])
        assert g[1] == pytest.approx(e[1])
        assert (g[3] is None) == (e[3] is None) and (g[3] is None or g[3] == pytest.approx(e[3]))
    assert report.unknown == [w for w in unknown.split(",") if w]
    assert report.ok is bool(expected)
    if not errors:
        assert report.errors == []
    elif errors == "*":
        assert report.errors
    else:
        for word in errors.split(","):
            assert any(word in e for e in report.errors), (word, report.errors)
    if not report.ok:
        assert report.errors
