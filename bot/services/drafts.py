"""A listing before it is confirmed: what was understood, what is still missing.

A draft is a plain JSON-serialisable dict, kept in the user's conversation
data so that a restart resumes where the user was. One-line posts fill most
fields at once (the place defaults to the user's own, validity to the
product's default); step-by-step posts (/offer, /need) ask every field.
Typed answers go through the same parser as one-line posts, so the same plausible
ranges hold: a value the parser refused is never taken, and the user is told why.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.matching.catalogue import CATEGORIES, get_catalogue
from bot.matching.model import CITY_NAME, Kind, ListingDraft, PackSize, Place
from bot.matching.parser import parse_post
from bot.matching.regions import get_gazetteer
from bot.services.listings import valid_days_for, validity
from bot.texts import posting as texts
from storage.records import NewListing, User

Draft = dict[str, Any]

# The order in which missing fields are asked.
FIELDS = ("kind", "category", "product", "quantity", "price", "place", "validity")
# Fields the user may reopen from the confirm card with 修改.
EDITABLE = ("kind", "product", "quantity", "price", "place", "validity")
VALID_DAY_CHOICES = (3, 7, 15, 30)
_DAYS = re.compile(r"^\s*(\d{1,3})\s*天?\s*$")
_DEFAULT_KIND: dict[str, Kind] = {"grower": "offer", "buyer": "need"}


def new_token() -> str:
    """A short random id of one draft, so a stale card's buttons cannot act on a newer draft."""
    return secrets.token_hex(3)


def new_publish_key() -> str:
    """A unique key of one draft; storage publishes a draft with a given key only once."""
    return secrets.token_hex(16)


def from_post(text: str, user: User, today: date) -> tuple[Draft | None, list[str]]:
    """A draft of a one-line post, and why any of its values was refused (for the user).

    The role decides offer or need when the text does not. A refused value (out of its
    range) is left empty, so it is asked; a post refused as a whole (too long, empty)
    makes no draft.
    """
    parsed = parse_post(text, today)
    if "text" in parsed.field_errors:
        return None, [parsed.field_errors["text"]]
    draft = _empty(text, steps=False, kind=parsed.kind or _DEFAULT_KIND.get(user.role))
    _merge(draft, parsed, replace=True)
    if draft["place"] is None and not draft["place_candidates"]:
        draft["place"] = _place_dict(user.place)
    return draft, list(parsed.field_errors.values())


def for_steps(kind: Kind) -> Draft:
    """An empty draft for /offer or /need: every field is asked."""
    return _empty("", steps=True, kind=kind)


def _empty(text: str, *, steps: bool, kind: Kind | None) -> Draft:
    return {
        "token": new_token(), "key": new_publish_key(), "steps": steps, "raw_text": text,
        "kind": kind, "category": None, "product": None, "variety": None,
        "quantity": None, "unit": None, "quantity_as_written": None, "unit_as_written": None,
        "pack": None, "price": None, "price_unit": None, "price_bound": None,
        "place": None, "place_candidates": [], "county_pick": None,
        "valid_days": None, "valid_until": None, "asking": None,
    }


def missing(draft: Draft) -> str | None:
    """The first field still to ask, or None when the draft can be confirmed."""
    if draft["kind"] is None:
        return "kind"
    if draft["product"] is None:
        return "category" if draft["category"] is None else "product"
    if draft["quantity"] is None:
        return "quantity"
    if draft["price"] is None and draft["price_bound"] is None:
        return "price"
    if draft["place"] is None:
        return "place"
    if draft["valid_days"] is None and draft["valid_until"] is None:
        return "validity"
    return None


def reopen(draft: Draft, field: str) -> None:
    """Clear a field so that it is asked again (修改 on the confirm card)."""
    if field == "product":
        draft.update(product=None, category=None, variety=None)
    elif field == "quantity":
        draft.update(quantity=None, unit=None, quantity_as_written=None, unit_as_written=None,
                     pack=None)
    elif field == "price":
        draft.update(price=None, price_unit=None, price_bound=None)
    elif field == "place":
        draft.update(place=None, place_candidates=[], county_pick=None)
    elif field == "validity":
        draft.update(valid_days=None, valid_until=None)
    elif field == "kind":
        draft["kind"] = None


# -- answers ---------------------------------------------------------------------------


def set_kind(draft: Draft, kind: Kind) -> None:
    draft["kind"] = kind


def set_category(draft: Draft, category: str) -> bool:
    if category not in CATEGORIES:
        return False
    draft["category"] = category
    return True


def set_product(draft: Draft, name: str) -> bool:
    product = get_catalogue().lookup(name)
    if product is None:
        return False
    draft.update(product=product.name, category=product.category)
    _default_validity(draft)
    return True


def set_negotiable(draft: Draft) -> None:
    draft.update(price=None, price_unit=None, price_bound="negotiable")


def set_place(draft: Draft, place: Place) -> None:
    draft.update(place=_place_dict(place), place_candidates=[], county_pick=None)


def set_valid_days(draft: Draft, days: int) -> bool:
    if not 1 <= days <= 90:
        return False
    draft.update(valid_days=days, valid_until=None)
    return True


def answer_text(draft: Draft, field: str, text: str, today: date) -> str | None:
    """Take a typed answer for ``field``: None when it was taken, else what to tell the user
    (why a value was refused, with its range, or that the answer was not understood).

    The answer is parsed together with the product already known, so "5000斤"
    or "0.8元/斤" read as they would in a one-line post; anything else the
    answer happens to say fills fields that are still empty. An answer holding a
    refused value is not taken at all: the user types it again.
    """
    not_understood = texts.NOT_UNDERSTOOD.format(question=texts.ASK[field])
    if field == "validity":
        matched = _DAYS.match(text)
        taken = bool(matched) and set_valid_days(draft, int(matched.group(1)))  # type: ignore[union-attr]
        return None if taken else not_understood
    if field == "place":
        return None if _answer_place(draft, text) else not_understood
    prefix = "" if field in ("category", "product") else (draft["product"] or "")
    parsed = parse_post(f"{prefix} {text}".strip(), today)
    if parsed.field_errors:
        reason = next(iter(parsed.field_errors.values()))
        return texts.REFUSED.format(reason=reason, question=texts.ASK[field])
    before = missing(draft)
    _merge(draft, parsed, replace=False)
    if field in ("category", "product"):
        taken = draft["product"] is not None
    else:
        taken = missing(draft) != before or _has(draft, field)
    return None if taken else not_understood


def _answer_place(draft: Draft, text: str) -> bool:
    places = [p for p in get_gazetteer().resolve(text) if p.county or p.outside]
    if len(places) == 1:
        set_place(draft, places[0])
        return True
    if places:
        draft["place_candidates"] = [_place_dict(p) for p in places]
        return True
    return False


def _has(draft: Draft, field: str) -> bool:
    if field == "price":
        return draft["price"] is not None or draft["price_bound"] is not None
    return draft.get(field) is not None


def _merge(draft: Draft, parsed: ListingDraft, *, replace: bool) -> None:
    """Copy what the parser found into the draft (only into empty fields unless ``replace``)."""

    def take(name: str, value: Any) -> None:
        if value is not None and (replace or draft.get(name) is None):
            draft[name] = value

    if parsed.product is not None and (replace or draft["product"] is None):
        draft.update(product=parsed.product, category=parsed.category, variety=parsed.variety)
    if parsed.quantity is not None and (replace or draft["quantity"] is None):
        draft.update(
            quantity=parsed.quantity, unit=parsed.unit,
            quantity_as_written=parsed.quantity_as_written,
            unit_as_written=parsed.unit_as_written,
            pack=asdict(parsed.pack) if parsed.pack else None,
        )
    if (parsed.price is not None or parsed.price_bound == "negotiable") and (
        replace or not _has(draft, "price")
    ):
        draft.update(price=parsed.price, price_unit=parsed.price_unit,
                     price_bound=parsed.price_bound)
    take("kind", parsed.kind)
    if parsed.place.county or parsed.place.outside:
        take("place", _place_dict(parsed.place))
    elif parsed.place_candidates and draft["place"] is None:
        draft["place_candidates"] = [_place_dict(p) for p in parsed.place_candidates]
    if parsed.valid_until is not None:
        take("valid_until", parsed.valid_until.isoformat())
    _default_validity(draft)


def _default_validity(draft: Draft) -> None:
    """One-line posts get the product's default validity; step-by-step posts ask."""
    if (not draft["steps"] and draft["product"] and draft["valid_days"] is None
            and draft["valid_until"] is None):
        draft["valid_days"] = valid_days_for(draft["product"])


# -- reading a draft -------------------------------------------------------------------


def place_of(draft: Draft) -> Place | None:
    return Place(**draft["place"]) if draft["place"] else None


def candidates_of(draft: Draft) -> list[Place]:
    return [Place(**p) for p in draft["place_candidates"]]


def last_day(draft: Draft, today: date) -> date | None:
    if draft["valid_until"]:
        return date.fromisoformat(draft["valid_until"])
    if draft["valid_days"]:
        return today + timedelta(days=draft["valid_days"])
    return None


def to_new_listing(draft: Draft, user_id: int, today: date, tz: ZoneInfo) -> NewListing:
    """The confirmed draft as a listing to store."""
    place = place_of(draft)
    if draft["product"] is None or place is None or draft["kind"] is None:
        raise ValueError("the draft is not complete")
    if draft["valid_until"]:
        until = date.fromisoformat(draft["valid_until"])
        until, expires_at = validity((until - today).days, today, tz)
    else:
        until, expires_at = validity(draft["valid_days"], today, tz)
    pack = draft["pack"]
    return NewListing(
        user_id=user_id, kind=draft["kind"], raw_text=draft["raw_text"],
        product=draft["product"], category=draft["category"], place=place,
        variety=draft["variety"], quantity=draft["quantity"], unit=draft["unit"],
        quantity_as_written=draft["quantity_as_written"],
        unit_as_written=draft["unit_as_written"],
        pack=PackSize(**pack) if pack else None, price=draft["price"],
        price_unit=draft["price_unit"], price_bound=draft["price_bound"],
        valid_until=until, expires_at=expires_at, publish_key=draft.get("key"),
    )


def _place_dict(place: Place) -> dict[str, str | None]:
    if place.county is None and place.outside is None:
        place = Place(city=CITY_NAME)
    return asdict(place)
