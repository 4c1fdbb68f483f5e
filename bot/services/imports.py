"""Importing a spreadsheet (xlsx or csv) of things keyed by a stable key: the machinery every
import shares (stores today, the supplier registry next).

A file is read into rows numbered as a spreadsheet shows them (the header is row 1). Each
row is checked by the import's own function, which returns the row's key and what to
store, or a Chinese reason to reject it; a key repeated within the file rejects the later
row. What the good rows would do (add or update, by key) is planned against storage, and
applied by the import's own function in the caller's unit of work: the CLI commits once,
or not at all (a dry run, or ``--strict`` with a rejected row).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from bot.matching.text import clean_text

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


class ImportFileError(ValueError):
    """A file that cannot be read as a table (or lacks a column): exit 2, one line."""


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its number as a spreadsheet shows it, and its cells by column name."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True, slots=True)
class Rejected:
    row: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Good(Generic[K, T]):
    row: int
    key: K
    value: T
    label: str  # how the text output names it


@dataclass(slots=True)
class ImportPlan(Generic[K, T]):
    """The rows checked: the good ones (to add or to update) and the rejected ones."""

    added: list[Good[K, T]] = field(default_factory=list)
    updated: list[Good[K, T]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"added": len(self.added), "updated": len(self.updated),
                "rejected": [r.to_json() for r in self.rejected]}

    def exit_code(self) -> int:
        """0 when no row was rejected, 1 when some were."""
        return 1 if self.rejected else 0


def read_table(path: Path, columns: Sequence[str]) -> list[Row]:
    """The data rows of an xlsx or csv file whose header names every one of ``columns``
    (others are ignored); cells cleaned and stripped. Blank rows are skipped but keep
    their numbers. ImportFileError when the file cannot be read as such a table."""
    if not path.is_file():
        raise ImportFileError(f"{path}: 文件不存在")
    suffix = path.suffix.lower()
    try:
        table = _xlsx(path) if suffix in (".xlsx", ".xlsm") else _csv(path)
    except ImportFileError:
        raise
    except Exception as error:  # a damaged or foreign file, whatever the reader says
        raise ImportFileError(f"{path}: 无法读取（{type(error).__name__}）") from None
    if not table:
        raise ImportFileError(f"{path}: 文件是空的")
    header = [clean_text(str(c or "")).strip() for c in table[0]]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ImportFileError(f"{path}: 缺少列：{'、'.join(missing)}")
    where = {name: header.index(name) for name in columns}
    rows = []
    for number, values in enumerate(table[1:], start=2):
        cells = {name: _cell(values[i]) if i < len(values) else "" for name, i in where.items()}
        if any(cells.values()):
            rows.append(Row(number, cells))
    return rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed into a number cell
    return clean_text(str(value)).strip()


def _xlsx(path: Path) -> list[Sequence[object]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _csv(path: Path) -> list[Sequence[object]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves csv as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(f"{path}: 不是 UTF-8 或 GBK 编码的表格")
    if "\x00" in text:
        raise ImportFileError(f"{path}: 不是文本表格")
    return list(csv.reader(io.StringIO(text)))


async def plan_import(rows: Sequence[Row], check: Callable[[Row], tuple[K, T, str] | str],
                      exists: Callable[[K], Awaitable[bool]]) -> ImportPlan[K, T]:
    """Check every row (``check`` gives key, value and label, or a reason) and sort the
    good ones into added and updated by ``exists``; a key already seen in the file
    rejects the later row."""
    plan: ImportPlan[K, T] = ImportPlan()
    first_row: dict[K, int] = {}
    for row in rows:
        checked = check(row)
        if isinstance(checked, str):
            plan.rejected.append(Rejected(row.number, checked))
            continue
        key, value, label = checked
        if key in first_row:
            plan.rejected.append(Rejected(row.number, f"与第{first_row[key]}行重复：{label}"))
            continue
        first_row[key] = row.number
        good = Good(row.number, key, value, label)
        (plan.updated if await exists(key) else plan.added).append(good)
    return plan


OUTCOMES = {
    "dry": "试运行，未写入（加 --apply 写入）",
    "applied": "已写入",
    "strict": "有误行，--strict：未写入",
}


def plan_lines(plan: ImportPlan[Any, Any], *, outcome: str, noun: str) -> list[str]:
    """The text output: what is (or would be) added and updated, each rejected row as
    ``第N行：reason``, then a summary line ending in the ``outcome`` (dry, applied,
    strict)."""
    lines = [f"新增：{g.label}" for g in plan.added]
    lines += [f"更新：{g.label}" for g in plan.updated]
    lines += [f"第{r.row}行：{r.reason}" for r in plan.rejected]
    summary = (f"新增{len(plan.added)}{noun}，更新{len(plan.updated)}{noun}，"
               f"有误{len(plan.rejected)}行；{OUTCOMES[outcome]}")
    return [*lines, summary]
