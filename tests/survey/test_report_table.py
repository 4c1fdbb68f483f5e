"""The survey parser against the table of real-looking reports (reports.txt)."""

from __future__ import annotations

import pytest

from bot.matching.survey import parse_report
from tests.survey.report_table import load_reports

REPORTS = load_reports()


def test_the_table_is_large_enough() -> None:
    assert len(REPORTS) >= 150


@pytest.mark.parametrize("report", REPORTS, ids=[f"line{r.line}" for r in REPORTS])
def test_a_report_parses_as_expected(report) -> None:  # type: ignore[no-untyped-def]
    parsed = parse_report(report.text).to_json()
    assert parsed["items"] == list(report.items), parsed
    assert parsed["unknown"] == list(report.unknown), parsed
    assert len(parsed["errors"]) == report.errors, parsed
    assert parsed["ok"] == (report.errors == 0)
