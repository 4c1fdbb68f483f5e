"""The digest's attachments: an Excel workbook of the day and a chart of offers vs needs.

Both are CPU work (100,000 rows for the city on a busy day): callers run them in a
worker thread. Both survive whatever text is stored: cells and labels are cleaned of
what Excel and matplotlib refuse, a cell is never a formula (text starting with
= + - @ is written as text, quote-prefixed), and labels are never read as mathtext.

The chart needs a font with Chinese glyphs; a fresh machine has
none, so the Noto Sans SC shipped by the ``pylopdf-fonts-zh-cn`` package is used
when present, else any CJK font matplotlib already knows, else a logged warning
and boxes instead of characters.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede pyplot

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.worksheet.worksheet import Worksheet

from bot.matching.model import WEIGHT_UNIT
from bot.matching.phones import mask_phones
from bot.matching.text import clean_text
from bot.services.digest_model import Digest
from bot.services.digest_text import to_plain, volumes
from bot.texts import officials as texts
from bot.texts.listings import KIND_LABELS

log = logging.getLogger(__name__)

_KNOWN_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
                       "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei")
# Phone numbers in what users typed, as the parser reads them, and any other run of
# 7 or 8 digits: officials see organisations only.

LISTING_COLUMNS = (
    "编号", "类型", "品种", "类别", "规格", "数量", "单位", "原写数量", "原写单位", "价格",
    "计价单位", "价格说明", "区县", "乡镇（街道）", "市外地点", "发布单位", "有效期至", "状态",
    "发布时间", "原文",
)
MATCH_COLUMNS = (
    "匹配编号", "品种", "数量", "单位", "供应方", "供应方地点", "需求方", "需求方地点",
    "匹配度", "已交换联系方式", "匹配时间", "供应编号", "需求编号",
)
# 成交: the figures, then the quantities by product and by category, of the day and to date.
DEAL_COLUMNS = ("期间", "项目", "名称", "数量", "单位")
OPEN_COLUMNS = ("编号", "品种", "数量", "单位", "地点", "发布单位", "发布时间", "已等（小时）")
# What a spreadsheet may read as the start of a formula (CSV/DDE injection).
_FORMULA_START = ("=", "+", "-", "@")
STATUS_NAMES = {"open": "有效", "closed": "已关闭", "expired": "已过期", "withdrawn": "已撤回"}


def digest_workbook(digest: Digest, tz: ZoneInfo) -> bytes:
    """An .xlsx with the day's listings, matches, shortages and surplus on separate sheets,
    the needs still unmatched when it was made, and the deals (成交)."""
    workbook = Workbook(write_only=True)

    def when(ts: float) -> str:
        return f"{datetime.fromtimestamp(ts, tz):%Y-%m-%d %H:%M}"

    listings = _sheet(workbook, "当日供求", LISTING_COLUMNS)
    for x in digest.listings:
        _append(listings, [
            x.id, KIND_LABELS[x.kind], x.product, x.category, x.variety, x.quantity,
            _unit(x.unit), x.quantity_as_written, x.unit_as_written, x.price,
            _unit(x.price_unit), texts.PRICE_BOUND_NAMES.get(x.price_bound or ""),
            x.place.county, x.place.township, x.place.outside,
            digest.organisations.get(x.user_id, ""),
            x.valid_until.isoformat() if x.valid_until else None, STATUS_NAMES.get(x.status),
            when(x.created_at), mask_phones(x.raw_text),
        ])
    matches = _sheet(workbook, "当日匹配", MATCH_COLUMNS)
    for m in digest.matches:
        _append(matches, [
            m.match_id, m.product, m.quantity, _unit(m.unit), m.offer_organisation,
            m.offer_place, m.need_organisation, m.need_place, percent(m.score),
            "是" if m.contacts_exchanged else "否", when(m.created_at), m.offer_id, m.need_id,
        ])
    for title, items in (("未匹配需求", digest.shortages), ("无人求购供应", digest.surplus),
                         ("现在未匹配需求", digest.open_now)):
        sheet = _sheet(workbook, title, OPEN_COLUMNS)
        for item in items:
            _append(sheet, [
                item.listing_id, item.product, item.quantity, _unit(item.unit), item.place,
                item.organisation, when(item.created_at), round(item.waited_hours, 1),
            ])
    _deal_sheet(workbook, digest)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _deal_sheet(workbook: Workbook, digest: Digest) -> None:
    deals = digest.deals
    sheet = _sheet(workbook, "成交", DEAL_COLUMNS)
    for values in (
        ["当日", "成交笔数", None, deals.today.count, "笔"],
        ["累计", "成交笔数", None, deals.to_date.count, "笔"],
        ["累计", "交换联系方式", None, deals.exchanges, "对"],
        ["累计", "成交率", None, deals.deal_rate_pct, "%"],
        ["累计", "成交价/挂牌价", None, deals.price_vs_listed_pct, "%"],
    ):
        _append(sheet, values)
    for period, figures in (("当日", deals.today), ("累计", deals.to_date)):
        for what, by_name in (("品种", figures.by_product), ("分类", figures.by_category)):
            for name, by_unit in by_name.items():
                for unit, quantity in by_unit.items():
                    _append(sheet, [period, what, name, quantity, _unit(unit)])


def _append(sheet: Worksheet, values: list[object]) -> None:
    """One row; every text goes through :func:`text_cell`."""
    sheet.append([text_cell(sheet, v) if isinstance(v, str) else v for v in values])


def text_cell(sheet: Worksheet, text: str) -> str | Cell:
    """Stored text as a cell value Excel takes and never runs.

    Characters a worksheet refuses are dropped; text a spreadsheet could read as a
    formula or an error code is a text cell with a quote prefix, as if typed after '.
    """
    text = clean_text(text)
    if not (text.lstrip().startswith(_FORMULA_START) or text in ERROR_CODES):
        return text
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _sheet(workbook: Workbook, title: str, columns: tuple[str, ...]) -> Worksheet:
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    sheet.append(list(columns))
    return sheet


def _unit(unit: str | None) -> str | None:
    return "公斤" if unit == WEIGHT_UNIT else unit


def percent(score: float) -> str:
    """A match score in [0, 1] as people read it: 0.408 → 41%."""
    return f"{round(score * 100)}%"


@dataclass(frozen=True, slots=True)
class ChartData:
    """What the chart shows, decided apart from drawing it.

    Counts cover every listing; the weight panel only goods stated by weight, in
    tonnes; goods counted in boxes, bags … are listed in words beside it
    (``counted``), since they have no weight to draw.
    """

    categories: list[str]
    offers: list[int]
    needs: list[int]
    weight_categories: list[str]
    offer_tonnes: list[float]
    need_tonnes: list[float]
    counted: list[str]  # 粮油：供 550袋｜求 570桶+240袋


def chart_data(digest: Digest) -> ChartData:
    weighed = [c for c in digest.categories
               if c.offer_volume.get(WEIGHT_UNIT) or c.need_volume.get(WEIGHT_UNIT)]
    counted = []
    for c in digest.categories:
        sides = [
            template.format(volume=to_plain(volumes(others)))
            for template, volume in ((texts.CHART_COUNTED_OFFERS, c.offer_volume),
                                     (texts.CHART_COUNTED_NEEDS, c.need_volume))
            if (others := {u: q for u, q in volume.items() if u != WEIGHT_UNIT})
        ]
        if sides:
            counted.append(texts.CHART_COUNTED_LINE.format(
                category=c.category, sides=texts.CHART_SIDE_SEPARATOR.join(sides)))
    return ChartData(
        categories=[c.category for c in digest.categories],
        offers=[c.offers for c in digest.categories],
        needs=[c.needs for c in digest.categories],
        weight_categories=[c.category for c in weighed],
        offer_tonnes=[c.offer_volume.get(WEIGHT_UNIT, 0) / 1000 for c in weighed],
        need_tonnes=[c.need_volume.get(WEIGHT_UNIT, 0) / 1000 for c in weighed],
        counted=counted,
    )


def chart_figure(digest: Digest) -> Figure:
    """The chart as a matplotlib Figure: offers vs needs per category, by count and by
    weight, goods counted in other units noted in words; 暂无数据 for an empty day."""
    font = cjk_font()
    data = chart_data(digest)
    day = digest.day
    title = texts.CHART_TITLE.format(
        area=_label(digest.area.label), month=day.month, day=day.day
    )
    # Figure, not pyplot: no global state, safe in a worker thread.
    if not data.categories:
        figure = Figure(figsize=(8, 3), dpi=110, layout="constrained")
        figure.suptitle(title, fontproperties=font, parse_math=False)
        figure.text(0.5, 0.45, texts.CHART_NO_DATA, ha="center", va="center", fontsize=24,
                    color="#757575", fontproperties=font)
        return figure
    panels = [(data.categories, data.offers, data.needs, texts.CHART_COUNT_AXIS)]
    if data.weight_categories:
        panels.append((data.weight_categories, data.offer_tonnes, data.need_tonnes,
                       texts.CHART_WEIGHT_AXIS))
    notes = [] if data.weight_categories else [texts.CHART_NO_WEIGHTS]
    if data.counted:
        notes += [texts.CHART_COUNTED_HEADING, *data.counted]
    figure = Figure(figsize=(8, 3.3 * len(panels) + 0.25 * len(notes)), dpi=110,
                    layout="constrained")
    width = 0.38
    for axes, (names, offer_values, need_values, ylabel) in zip(
        figure.subplots(len(panels), 1, squeeze=False)[:, 0], panels, strict=True
    ):
        positions = range(len(names))
        axes.bar([p - width / 2 for p in positions], offer_values, width,
                 label=texts.CHART_OFFERS, color="#2e7d32")
        axes.bar([p + width / 2 for p in positions], need_values, width,
                 label=texts.CHART_NEEDS, color="#c62828")
        axes.set_xticks(list(positions), [_label(n) for n in names], fontproperties=font,
                       parse_math=False)
        axes.set_ylabel(ylabel, fontproperties=font)
        axes.legend(prop=font)
        axes.grid(axis="y", alpha=0.3)
    # Listings are whole: the count axis has whole ticks only.
    figure.axes[0].yaxis.set_major_locator(MaxNLocator(integer=True))
    if notes:
        figure.supxlabel("\n".join(_label(note) for note in notes), x=0.02, ha="left",
                         fontsize=9, fontproperties=font, parse_math=False)
    figure.suptitle(title, fontproperties=font, parse_math=False)
    return figure


def digest_chart(digest: Digest) -> bytes:
    """The chart of :func:`chart_figure` as a PNG."""
    out = io.BytesIO()
    chart_figure(digest).savefig(out, format="png")
    return out.getvalue()


def _label(text: str) -> str:
    """Stored text as a chart label: one line, nothing a font cannot draw."""
    return clean_text(text).replace("\n", " ")


@cache
def cjk_font() -> font_manager.FontProperties | None:
    """A font that renders Chinese, registered with matplotlib; None (and a warning) if none."""
    try:
        from pylopdf_fonts_zh_cn import sans_path  # type: ignore[import-not-found]
    except ImportError:
        pass
    else:
        path = sans_path()
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path))
    available = {f.name for f in font_manager.fontManager.ttflist}
    for family in _KNOWN_CJK_FAMILIES:
        if family in available:
            return font_manager.FontProperties(family=family)
    log.warning(
        "no Chinese font found: the digest chart will show boxes for Chinese characters; "
        "install the pylopdf-fonts-zh-cn package (Noto Sans SC, OFL)"
    )
    return None
