"""Directed delivery into sealed areas (封控区定向配送): who may supply a need, pure.

A need is inside a sealed area when a receiver of that area (a property manager or
volunteer) posts it while the area is active. Such a need is matched only to the area's
designated suppliers: an offer is proposed into it only when its owner speaks for one of
them, however near any other offer is. Needs outside every sealed area are the open
market, where designated suppliers take part like anyone. For a designated supplier's
offer, the needs of the areas it serves rank before every open need.
"""

from __future__ import annotations

from collections.abc import Iterable

# The levels used in 2022, strictest first.
LEVELS: tuple[str, ...] = ("封控区", "管控区", "防范区")


def may_supply(need_area: int | None, offer_areas: Iterable[int]) -> bool:
    """Whether an offer whose owner is designated for ``offer_areas`` may be proposed for
    a need inside ``need_area`` (None: the open market)."""
    return need_area is None or need_area in set(offer_areas)


def compounds(text: str) -> str:
    """The compounds a sealed area covers, written with any separator, joined by 、."""
    for sep in (",", "，", ";", "；", " ", "/"):
        text = text.replace(sep, "、")
    return "、".join(dict.fromkeys(p.strip() for p in text.split("、") if p.strip()))
