"""From what the parser understood of a post to the listing the matching engine takes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.matching.model import Kind, Listing, ListingDraft
from bot.matching.parser import CHINA_TZ

UNKNOWN_KIND = "看不出是供应还是求购（cannot tell offer from need）"


def end_of_day(day: date) -> float:
    """The first instant after ``day`` in Asia/Shanghai, POSIX seconds: a validity's end."""
    return datetime.combine(day + timedelta(days=1), time(), CHINA_TZ).timestamp()


def listing_from_draft(
    draft: ListingDraft, listing_id: str, created_at: float, kind: Kind | None = None
) -> Listing | str:
    """The open listing a draft stands for, or why it cannot be matched (a message for people).

    ``kind`` is used only when the text itself does not say offer or need. A validity
    date the parser read ends the listing at the end of that day; otherwise it does not
    expire.
    """
    if not draft.ok:
        return "；".join(draft.errors) or "无法识别"
    kind = draft.kind or kind
    if kind is None:
        return UNKNOWN_KIND
    assert draft.product is not None  # draft.ok
    return Listing(
        id=listing_id,
        kind=kind,
        product=draft.product,
        quantity=draft.quantity,
        unit=draft.unit,
        price=draft.price,
        price_unit=draft.price_unit,
        place=draft.place,
        created_at=created_at,
        expires_at=None if draft.valid_until is None else end_of_day(draft.valid_until),
        pack=draft.pack,
        price_bound=draft.price_bound,
    )
