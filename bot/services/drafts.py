"""A listing before it is confirmed: what was understood, what is still missing.

A :class:`Posting` holds the parser's own :class:`~bot.matching.model.ListingDraft`
and what the conversation needs around it (the question being asked, the card's
token, the key that publishes it once); it waits in the poster's conversation row
between messages. One-line posts fill most fields at once (the place defaults to
the poster's own, validity to the product's default); step-by-step posts (/offer,
/need) ask every field. Typed answers go through the same parser as one-line
posts, so the same plausible ranges hold: a value the parser refused is never
taken, and the user is told why.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.matching.catalogue import CATEGORIES, get_catalogue
from bot.matching.clock import end_of_day
from bot.matching.drafts import valid_days_for
from bot.matching.model import CITY_NAME, Kind, Listing, ListingDraft, Place
from bot.matching.parser import parse_listings, parse_post
from bot.matching.regions import get_gazetteer
from bot.texts import posting as texts
from storage.records import User

# Fields the user may reopen from the confirm card with 修改, in the card's order.
EDITABLE = ("kind", "product", "quantity", "price", "place", "validity")
VALID_DAY_CHOICES = (3, 7, 15, 30)
_DAYS = re.compile(r"^\s*(\d{1,3})\s*天?\s*$")
_DEFAULT_KIND: dict[str, Kind] = {"grower": "offer", "buyer": "need"}


@dataclass(slots=True)
class Product:
    """Another product of a post naming several: its draft and its own publish key."""

    draft: ListingDraft
    key: str


@dataclass(slots=True)
class Posting:
    """A draft on its way to the confirm card; a post naming several products holds one
    draft per product, shown on one card and published together. ``draft`` is the one
    being asked or edited, at ``position`` among them; ``others`` are the rest, in order.
    """

    draft: ListingDraft
    # A short id of this draft, so a stale card's buttons cannot act on a newer one.
    token: str
    # The draft's own key: storage publishes a draft with a given key only once.
    key: str
    # /offer and /need ask every field, validity included.
    steps: bool
    # The field being asked, or None when the card is shown.
    asking: str | None = None
    # The county picked by button while the township is still to pick.
    county_pick: str | None = None
    others: list[Product] = field(default_factory=list)
    position: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"draft": self.draft.to_dict(), "token": self.token, "key": self.key,
                "steps": self.steps, "asking": self.asking, "county_pick": self.county_pick,
                "others": [{"draft": p.draft.to_dict(), "key": p.key} for p in self.others],
                "position": self.position}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Posting:
        others = [Product(ListingDraft.from_dict(p["draft"]), p["key"])
                  for p in data.get("others", [])]
        return cls(ListingDraft.from_dict(data["draft"]), data["token"], data["key"],
                   data["steps"], data.get("asking"), data.get("county_pick"), others,
                   data.get("position", 0))

    def products(self) -> list[Product]:
        """Every product of the card, in the order shown."""
        shown = list(self.others)
        shown.insert(self.position, Product(self.draft, self.key))
        return shown

    def focus(self, n: int) -> bool:
        """Make product ``n`` (0-based, as shown) the one asked or edited; False if none."""
        shown = self.products()
        if not 0 <= n < len(shown):
            return False
        chosen = shown.pop(n)
        self.draft, self.key, self.position, self.others = chosen.draft, chosen.key, n, shown
        return True

    def remove(self, n: int) -> bool:
        """Take product ``n`` off the card; False if none or if it is the last one."""
        shown = self.products()
        if len(shown) < 2 or not 0 <= n < len(shown):
            return False
        shown.pop(n)
        first = shown.pop(0)
        self.draft, self.key, self.position, self.others = first.draft, first.key, 0, shown
        self.asking = None
        return True


def _new(draft: ListingDraft, *, steps: bool) -> Posting:
    return Posting(draft, secrets.token_hex(3), secrets.token_hex(16), steps)


def from_post(text: str, user: User, today: date) -> tuple[Posting | None, list[str]]:
    """A posting of a one-line post (one draft per product it names), and why any of its
    values was refused (for the user).

    The role decides offer or need when the text does not. A refused value (out of its
    range) is left empty, so it is asked; a post refused as a whole (too long, empty) or
    no listing at all (a question, thanks, a sold-out notice) makes none, and says why.
    """
    parsed = parse_listings(text, today, user.role)
    first = parsed[0]
    if "text" in first.field_errors:
        return None, [first.field_errors["text"]]
    if first.not_listing is not None:
        return None, list(first.errors)
    refusals: list[str] = []
    drafts = []
    for one in parsed:
        refusals += [r for r in one.field_errors.values() if r not in refusals]
        draft = replace(one, kind=one.kind or _DEFAULT_KIND.get(user.role), errors=[],
                        field_errors={})
        if not (draft.place.county or draft.place.outside):
            # The parser names the city for an ambiguous place (马庄): that is asked, never
            # widened to the whole city. A post naming no place is at the poster's own.
            draft.place = Place() if draft.place_candidates else whole(user.place)
        drafts.append(draft)
    posting = _new(drafts[0], steps=False)
    posting.others = [Product(d, secrets.token_hex(16)) for d in drafts[1:]]
    for n in range(len(drafts)):
        posting.focus(n)
        _default_validity(posting, today)
    posting.focus(0)
    return posting, refusals


def sold_out_product(text: str, user: User, today: date) -> str | None:
    """The product a sold-out notice (白菜已经卖完了) names, or None for any other text."""
    parsed = parse_post(text, today, user.role)
    return parsed.product if parsed.not_listing == "sold_out" else None


def for_steps(kind: Kind) -> Posting:
    """An empty posting for /offer or /need: every field is asked."""
    return _new(ListingDraft(raw_text="", kind=kind), steps=True)


def post_product(text: str, today: date) -> str | None:
    """The product of ``text`` when it is a post of its own (a product and a quantity),
    else None: an answer to a question never says both."""
    parsed = parse_post(text, today)
    return parsed.product if parsed.quantity is not None else None


def has_place(draft: ListingDraft) -> bool:
    return draft.place.city is not None or draft.place.outside is not None


def missing(posting: Posting) -> str | None:
    """The first field still to ask of the draft in progress, or None when it can be
    confirmed."""
    return _missing(posting.draft)


def next_missing(posting: Posting) -> str | None:
    """The first field still to ask of any product of the card, which becomes the one in
    progress; None when every product can be confirmed."""
    for n, product in enumerate(posting.products()):
        if _missing(product.draft) is not None:
            posting.focus(n)
            return _missing(posting.draft)
    return None


def complete(posting: Posting) -> bool:
    """Whether every product of the card can be confirmed."""
    return all(_missing(p.draft) is None for p in posting.products())


def share_common(posting: Posting) -> None:
    """The products of one post share its kind, place and validity: those of the draft in
    progress (as just answered or edited) go to every other."""
    draft = posting.draft
    for product in posting.others:
        other = product.draft
        other.kind, other.valid_until = draft.kind, draft.valid_until
        other.place, other.place_candidates = draft.place, list(draft.place_candidates)


def _missing(draft: ListingDraft) -> str | None:
    if draft.kind is None:
        return "kind"
    if draft.product is None:
        return "category" if draft.category is None else "product"
    if draft.quantity is None and not draft.standing:
        return "quantity"
    if draft.price is None and draft.price_bound is None:
        return "price"
    if not has_place(draft):
        return "place"
    if draft.valid_until is None:
        return "validity"
    return None


def reopen(posting: Posting, field: str) -> None:
    """Clear a field so that it is asked again (修改 on the confirm card)."""
    draft = posting.draft
    if field == "product":
        draft.product = draft.category = draft.variety = None
    elif field == "quantity":
        draft.standing = False
        draft.quantity = draft.quantity_as_written = None
        draft.unit = draft.unit_as_written = None
        draft.pack = None
    elif field == "price":
        draft.price, draft.price_unit, draft.price_bound = None, None, None
    elif field == "place":
        draft.place, draft.place_candidates = Place(), []
        posting.county_pick = None
    elif field == "validity":
        draft.valid_until = None
    elif field == "kind":
        draft.kind = None


# -- answers ---------------------------------------------------------------------------


def set_kind(posting: Posting, kind: Kind) -> None:
    posting.draft.kind = kind


def set_category(posting: Posting, category: str) -> bool:
    if category not in CATEGORIES:
        return False
    posting.draft.category = category
    return True


def set_product(posting: Posting, name: str, today: date) -> bool:
    product = get_catalogue().lookup(name)
    if product is None:
        return False
    posting.draft.product, posting.draft.category = product.name, product.category
    _default_validity(posting, today)
    return True


def set_negotiable(posting: Posting) -> None:
    draft = posting.draft
    draft.price, draft.price_unit, draft.price_bound = None, None, "negotiable"


def set_place(posting: Posting, place: Place) -> None:
    posting.draft.place, posting.draft.place_candidates = whole(place), []
    posting.county_pick = None


def set_valid_days(posting: Posting, days: int, today: date) -> bool:
    if not 1 <= days <= 90:
        return False
    posting.draft.valid_until = today + timedelta(days=days)
    return True


def answer_text(posting: Posting, field: str, text: str, today: date) -> str | None:
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
        taken = bool(matched) and set_valid_days(posting, int(matched.group(1)), today)  # type: ignore[union-attr]
        return None if taken else not_understood
    if field == "place":
        return None if _answer_place(posting, text) else not_understood
    draft = posting.draft
    prefix = "" if field in ("category", "product") else (draft.product or "")
    parsed = parse_post(f"{prefix} {text}".strip(), today)
    if parsed.field_errors:
        reason = next(iter(parsed.field_errors.values()))
        return texts.REFUSED.format(reason=reason, question=texts.ASK[field])
    before = missing(posting)
    _merge(posting, parsed, today)
    if field in ("category", "product"):
        taken = draft.product is not None
    else:
        taken = missing(posting) != before or _has(draft, field)
    return None if taken else not_understood


def _answer_place(posting: Posting, text: str) -> bool:
    places = [p for p in get_gazetteer().resolve(text) if p.county or p.outside]
    if len(places) == 1:
        set_place(posting, places[0])
        return True
    if places:
        posting.draft.place_candidates = places
        return True
    return False


def _has(draft: ListingDraft, field: str) -> bool:
    if field == "price":
        return draft.price is not None or draft.price_bound is not None
    return getattr(draft, field, None) is not None


def _merge(posting: Posting, parsed: ListingDraft, today: date) -> None:
    """Copy what the parser found into the fields of the draft that are still empty."""
    draft = posting.draft
    if parsed.product is not None and draft.product is None:
        draft.product, draft.category = parsed.product, parsed.category
        draft.variety = parsed.variety
    if parsed.quantity is not None and draft.quantity is None:
        draft.quantity, draft.unit = parsed.quantity, parsed.unit
        draft.quantity_as_written = parsed.quantity_as_written
        draft.unit_as_written = parsed.unit_as_written
        draft.pack = parsed.pack
    if (parsed.price is not None or parsed.price_bound == "negotiable") and not _has(
        draft, "price"
    ):
        draft.price, draft.price_unit = parsed.price, parsed.price_unit
        draft.price_bound = parsed.price_bound
    if draft.kind is None and parsed.kind_source == "text":
        draft.kind = parsed.kind
    if (parsed.place.county or parsed.place.outside) and not has_place(draft):
        draft.place = parsed.place
    elif parsed.place_candidates and not has_place(draft):
        draft.place_candidates = list(parsed.place_candidates)
    if parsed.valid_until is not None and draft.valid_until is None:
        draft.valid_until = parsed.valid_until
    _default_validity(posting, today)


def _default_validity(posting: Posting, today: date) -> None:
    """One-line posts get the product's default validity; step-by-step posts ask."""
    draft = posting.draft
    if not posting.steps and draft.product and draft.valid_until is None:
        draft.valid_until = today + timedelta(days=valid_days_for(draft.product))


def whole(place: Place) -> Place:
    """A place as a listing keeps it: one with no county-level unit is the whole city."""
    if place.county is None and place.outside is None:
        return Place(city=CITY_NAME)
    return place


# -- the confirmed draft ---------------------------------------------------------------


def to_listings(posting: Posting, user_id: int, tz: ZoneInfo, now: float) -> list[Listing]:
    """Every product of the confirmed card as a listing to store, with its publish key."""
    return [_listing(p.draft, user_id, tz, now) for p in posting.products()]


def to_listing(posting: Posting, user_id: int, tz: ZoneInfo, now: float) -> Listing:
    """The confirmed draft as the listing to store (its id is given by storage)."""
    return _listing(posting.draft, user_id, tz, now)


def _listing(draft: ListingDraft, user_id: int, tz: ZoneInfo, now: float) -> Listing:
    if (draft.product is None or draft.kind is None or not has_place(draft)
            or draft.valid_until is None):
        raise ValueError("the draft is not complete")
    return Listing(
        id=0, kind=draft.kind, product=draft.product, quantity=draft.quantity,
        unit=draft.unit, price=draft.price, price_unit=draft.price_unit, place=draft.place,
        created_at=now, expires_at=end_of_day(draft.valid_until, tz), pack=draft.pack,
        price_bound=draft.price_bound, user_id=user_id, category=draft.category or "",
        variety=draft.variety, quantity_as_written=draft.quantity_as_written,
        unit_as_written=draft.unit_as_written, valid_until=draft.valid_until,
        raw_text=draft.raw_text,
    )
