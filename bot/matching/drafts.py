"""From what the parser understood of a post to a listing: validity and completeness.

The bot, the demo and ``farmdock match`` all turn drafts into listings here, so a
listing lasts as long whichever way it came in: until the date the post named, else
for its product's default (leafy greens 3 days, most goods 7, grain and oil 30).
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.matching.catalogue import get_catalogue
from bot.matching.clock import end_of_day
from bot.matching.model import Kind, Listing, ListingDraft

DEFAULT_VALID_DAYS = 7
UNKNOWN_KIND = "看不出是供应还是求购（cannot tell offer from need）"


def valid_days_for(product: str | None) -> int:
    """The default validity of a listing of ``product``, in days."""
    found = get_catalogue().get(product) if product else None
    return found.default_valid_days if found else DEFAULT_VALID_DAYS


def last_valid_day(valid_until: date | None, product: str | None, today: date) -> date:
    """The day a listing stops being valid at its end: the one named, else the default."""
    return valid_until or today + timedelta(days=valid_days_for(product))


def listing_from_draft(
    draft: ListingDraft, listing_id: int, created_at: float, *, today: date, tz: ZoneInfo,
    kind: Kind | None = None,
) -> Listing | str:
    """The open listing a draft stands for, or why it cannot be one (a message for people).

    ``kind`` is used only when the text itself does not say offer or need (a post stating
    what it has with no kind word reads as an offer only when no ``kind`` is given).
    """
    if not draft.ok:
        return "；".join(draft.errors) or "无法识别"
    if draft.kind_source not in ("default", None):
        kind = draft.kind
    else:
        kind = kind or draft.kind
    if kind is None:
        return UNKNOWN_KIND
    assert draft.product is not None  # draft.ok
    last_day = last_valid_day(draft.valid_until, draft.product, today)
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
        expires_at=end_of_day(last_day, tz),
        pack=draft.pack,
        price_bound=draft.price_bound,
        category=draft.category or "",
        variety=draft.variety,
        quantity_as_written=draft.quantity_as_written,
        unit_as_written=draft.unit_as_written,
        valid_until=last_day,
        raw_text=draft.raw_text,
    )
