"""The daily price table as plain text (the CLI, officials' messages)."""

from __future__ import annotations

from bot.matching.basket import get_basket
from bot.matching.monitoring import PriceTable
from bot.texts import prices as texts


def money(value: float) -> str:
    return f"{value:.2f}"


def render_table(table: PriceTable) -> str:
    """One line per basket item, then the alerts."""
    basket = get_basket()
    lines = [texts.TABLE_TITLE.format(region=table.region, day=table.day.isoformat())]
    category = None
    for item in table.items:
        if item.category != category:
            category = item.category
            lines.append(f"【{category}】")
        spec = basket.get(item.product)
        unit = texts.unit_label(item.unit)
        if item.avg is None:
            lines.append(f"{item.product}  {texts.TABLE_NO_DATA}")
            continue
        spread = "" if item.points < 2 else texts.TABLE_RANGE.format(
            low=money(item.min or 0), high=money(item.max or 0))
        lines.append(texts.TABLE_LINE.format(
            product=item.product, spec=spec.spec if spec else "", avg=money(item.avg),
            unit=unit, d1=texts.signed_pct(item.change_1d_pct),
            d7=texts.signed_pct(item.change_7d_pct), points=item.points, range=spread))
    if table.alerts:
        lines.append(texts.TABLE_ALERTS)
        lines.extend(texts.TABLE_ALERT.format(region=a.region, product=a.product,
                                              rule=texts.rule_label(a.rule), pct=a.change_pct)
                     for a in table.alerts)
    else:
        lines.append(texts.TABLE_NO_ALERTS)
    return "\n".join(lines)
