"""``farmdock prices parse|add|import|table``: the daily price monitoring (日监测).

``parse`` reads one report per line and prints one JSON object per line::

    {"ok", "items": [{"product", "price", "price_unit", "sales", "sales_unit"}],
     "unknown": [...], "errors": [...]}

``table`` prints the day's table (text, JSON or an Excel workbook)::

    {"date", "region", "items": [{"product", "category", "unit", "avg", "min", "max",
     "points", "change_1d_pct", "change_7d_pct", "by_county": {county: avg}}],
     "alerts": [{"product", "region", "rule", "change_pct"}]}
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from bot.cli.db import add_database_arguments, database_target, in_unit_of_work
from bot.matching.area import AreaError, resolve_area
from bot.matching.model import CITY_NAME
from bot.matching.policy import PolicyError
from bot.settings import SettingsError, load_settings
from storage.database import SchemaTooNewError, is_postgresql
from storage.interfaces import UnitOfWork

log = logging.getLogger(__name__)
FORMATS = ("text", "json", "xlsx")


class UsageError(ValueError):
    """Bad arguments or input: one line, exit code 2."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "prices", help="daily price monitoring: read, store, import reports; the day's table")
    commands = parser.add_subparsers(dest="prices_command", metavar="ACTION", required=True)

    parse = commands.add_parser(
        "parse", help="read price reports, one per line, into one JSON object per line",
        description="Each TEXT (default: each line of standard input) is one report. Prints "
                    'one JSON object per report: {"ok", "items": [{"product", "price", '
                    '"price_unit", "sales", "sales_unit"}], "unknown", "errors"}.')
    parse.add_argument("text", nargs="*", metavar="TEXT")
    parse.set_defaults(func=parse_command)

    add = commands.add_parser(
        "add", help="store a point's report of a day (a suspect price is refused with a "
                    "question unless --confirm)")
    add.add_argument("--point", required=True, help="the point's id or exact name")
    add.add_argument("--date", help="YYYY-MM-DD (default: today)")
    add.add_argument("--confirm", action="store_true",
                     help="store prices that would be asked about (斤/公斤 mix-up, range)")
    add.add_argument("text", nargs="+", metavar="TEXT", help="the report, e.g. 白菜1.2 猪肉13.8")
    add_database_arguments(add)
    add.set_defaults(func=add_command)

    imp = commands.add_parser(
        "import", help="import reports from an xlsx or csv file (columns 日期, 监测点, 品种, "
                       "价格, 单位, 销量, 销量单位); a point's day is replaced, never doubled")
    imp.add_argument("file", metavar="FILE")
    add_database_arguments(imp)
    imp.set_defaults(func=import_command)

    table = commands.add_parser("table", help="the day's price table of an area")
    table.add_argument("--date", help="YYYY-MM-DD (default: today)")
    table.add_argument("--region", default=CITY_NAME,
                       help="平顶山市 (default), a county-level unit or a township")
    table.add_argument("--format", choices=FORMATS, default="text")
    table.add_argument("--out", help="write to this file (required for xlsx)")
    add_database_arguments(table)
    table.set_defaults(func=table_command)


# Shared by the monitoring subcommands ------------------------------------------------
def run_in_unit_of_work(
    args: argparse.Namespace, action: Callable[[UnitOfWork], Awaitable[Any]],
    *, show: Callable[[Any], None] | None = None,
) -> int:
    """Open the database, run ``action`` in one unit of work, commit, print its result as
    JSON (or through ``show``); a user's or operator's error is one line, exit 2."""
    from bot.services.prices import PointError

    try:
        result = asyncio.run(in_unit_of_work(args, action))
    except (UsageError, PointError, AreaError, SettingsError, SchemaTooNewError,
            PolicyError, ValueError) as error:
        return fail(str(error))
    if show is not None:
        show(result)
    else:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def fail(message: str) -> int:
    print(f"farmdock: {' '.join(message.split())}", file=sys.stderr)
    return 2


def parse_day(text: str | None) -> date:
    """--date as a day (default today in FARMDOCK_TZ); UsageError naming a bad one."""
    from bot.matching.clock import local_today

    if not text:
        return local_today(load_settings(require_token=False).timezone)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--date {text!r} is not a date: use YYYY-MM-DD") from None


# parse ---------------------------------------------------------------------------
def parse_command(args: argparse.Namespace) -> int:
    """One JSON line per report, in order, never skipping one; exit 0."""
    from bot.matching.reports import Report, parse_report
    from bot.texts.prices import REPORT_ERRORS

    reports = args.text if args.text else _lines(sys.stdin.buffer)
    out = sys.stdout.buffer
    try:
        for text in reports:
            try:
                answer = parse_report(text).to_json()
            except Exception:
                # One answer per line is the contract: a parser bug must not end the run.
                log.exception("price report parser failed on %d characters", len(text))
                answer = Report(errors=[REPORT_ERRORS["nothing"]]).to_json()
            out.write(json.dumps(answer, ensure_ascii=False).encode("utf-8", "replace"))
            out.write(b"\n")
            out.flush()
    except BrokenPipeError:
        sys.stderr.close()
    return 0


def _lines(stream: BinaryIO) -> Iterator[str]:
    for raw in iter(stream.readline, b""):
        yield raw.rstrip(b"\n").rstrip(b"\r").decode("utf-8", errors="replace")


# add -----------------------------------------------------------------------------
def add_command(args: argparse.Namespace) -> int:
    from bot.services.prices import find_point, submit_report, suspect_question

    text = " ".join(args.text)
    try:
        day = parse_day(args.date)
    except (UsageError, SettingsError) as error:
        return fail(str(error))

    async def add(uow: UnitOfWork) -> dict[str, Any]:
        point = await find_point(uow, args.point)
        done = await submit_report(uow, point, day, text, now=time.time(), source="cli",
                                   confirmed=args.confirm)
        if not done.report.ok:
            raise UsageError("；".join(done.report.errors))
        if done.suspects:
            raise UsageError(" ".join(suspect_question(s) for s in done.suspects)
                             + "（确认无误请加 --confirm）")
        return {"point": point.id, "name": point.name, "date": day.isoformat(),
                "stored": done.stored, **done.report.to_json()}

    return run_in_unit_of_work(args, add)


# import --------------------------------------------------------------------------
def import_command(args: argparse.Namespace) -> int:
    from bot.services.prices import import_rows

    try:
        rows = read_import_file(Path(args.file))
    except UsageError as error:
        return fail(str(error))

    async def run(uow: UnitOfWork) -> dict[str, Any]:
        done = await import_rows(uow, rows, now=time.time())
        return {"imported": done.imported,
                "days": [{"point": p, "date": d, "prices": n} for p, d, n in done.days],
                "rejected": [{"row": r, "reason": why} for r, why in done.rejected]}

    shown: list[dict[str, Any]] = []

    def show(result: dict[str, Any]) -> None:
        for rejected in result["rejected"]:
            print(f"farmdock: row {rejected['row']}: {rejected['reason']}", file=sys.stderr)
        print(json.dumps(result, ensure_ascii=False, indent=2))
        shown.append(result)

    code = run_in_unit_of_work(args, run, show=show)
    # Some rows taken is a success (the rest are listed); none taken of some is not.
    if code == 0 and shown and not shown[0]["imported"] and shown[0]["rejected"]:
        return 2
    return code


def read_import_file(path: Path) -> list[Any]:
    """The rows of an xlsx or csv import file; UsageError for an unreadable file or one
    without the columns."""
    from bot.services.prices import IMPORT_COLUMNS, ImportRow
    from bot.texts.prices import IMPORT_NO_COLUMNS

    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = _xlsx_rows(path)
    elif path.suffix.lower() == ".csv":
        table = _csv_rows(path)
    else:
        raise UsageError(f"{path}: give an .xlsx or a .csv file")
    if not table:
        raise UsageError(f"{path}: the file is empty")
    header = [_cell(c).strip() for c in table[0]]
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise UsageError(IMPORT_NO_COLUMNS.format(columns="、".join(missing)))
    where = {c: header.index(c) for c in IMPORT_COLUMNS}
    rows = []
    for number, values in enumerate(table[1:], start=2):
        cells = list(values) + [None] * (len(header) - len(values))
        if all(_cell(v).strip() == "" for v in cells):
            continue
        rows.append(ImportRow(
            number=number, day=_date_cell(cells[where["日期"]]),
            point=_cell(cells[where["监测点"]]).strip(),
            product=_cell(cells[where["品种"]]).strip(),
            price=_cell(cells[where["价格"]]).strip(), unit=_cell(cells[where["单位"]]),
            sales=_cell(cells[where["销量"]]), sales_unit=_cell(cells[where["销量单位"]])))
    return rows


def _xlsx_rows(path: Path) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is no workbook
        raise UsageError(f"{path}: not a readable xlsx workbook ({type(error).__name__})") \
            from None
    try:
        sheet = workbook.worksheets[0]
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _csv_rows(path: Path) -> list[tuple[Any, ...]]:
    raw = path.read_bytes()
    # Spreadsheets in China save CSV as GB18030 (GBK) as often as UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UsageError(f"{path}: neither UTF-8 nor GB18030 text")
    return [tuple(r) for r in csv.reader(io.StringIO(text))]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _date_cell(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell(value).strip().replace("/", "-").replace(".", "-")
    for suffix in ("日",):
        text = text.removesuffix(suffix)
    text = text.replace("年", "-").replace("月", "-")
    parts = text.split("-")
    if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
        try:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            return None
    return None


# table ---------------------------------------------------------------------------
def table_command(args: argparse.Namespace) -> int:
    from bot.matching.monitoring import table_json
    from bot.services.prices import load_table

    try:
        area = resolve_area(args.region)
        day = parse_day(args.date)
        if args.format == "xlsx" and not args.out:
            raise UsageError("--format xlsx writes a binary file: give --out FILE")
        target = database_target(args)
        if not is_postgresql(target) and not Path(target).is_file():
            raise UsageError(f"no database at {target}: run `farmdock migrate` or give --db")
    except (UsageError, AreaError, SettingsError) as error:
        return fail(str(error))

    async def load(uow: UnitOfWork) -> Any:
        return await load_table(uow, day, area)

    def show(table: Any) -> None:
        if args.format == "xlsx":
            from bot.services.prices_files import table_workbook

            Path(args.out).write_bytes(table_workbook(table))
            print(f"{table.region} {table.day.isoformat()}: {len(table.items)} items written "
                  f"to {args.out}")
            return
        if args.format == "json":
            output = json.dumps(table_json(table), ensure_ascii=False, indent=2)
        else:
            from bot.services.prices_text import render_table

            output = render_table(table)
        if args.out:
            Path(args.out).write_text(output + "\n", encoding="utf-8")
        else:
            print(output)

    return run_in_unit_of_work(args, load, show=show)
