"""The buttons farmdock offers: labels from :mod:`bot.texts`, actions from
:mod:`bot.services.actions`, laid out in rows. The Telegram edge draws them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.matching.regions import get_gazetteer
from bot.services import actions
from bot.services.messages import Button, ContactRequest, Rows, grid
from bot.texts import matches, posting, registration
from bot.texts import my_listings as mine


def interest(match_id: int) -> Rows:
    return grid([Button(matches.INTEREST_BUTTON, actions.interest(match_id))], 1)


def numbered_interest(presses: Sequence[str | None], start: int = 1) -> Rows:
    """A 我有意向 button per match of a list, numbered as the list is (from ``start``); None
    in the list stands for a match that needs no button (answered already)."""
    return grid([
        Button(matches.NUMBERED_INTEREST_BUTTON.format(n=n), action)
        for n, action in enumerate(presses, start) if action is not None
    ], 2)


def confirm_card(token: str) -> Rows:
    return grid([
        Button(posting.CONFIRM, actions.posting("ok", token)),
        Button(posting.EDIT, actions.posting("edit", token)),
        Button(posting.CANCEL, actions.posting("cancel", token)),
    ])


def multi_card(token: str, count: int) -> Rows:
    """A card of several products: publish them all, fix or take off each, or cancel."""
    rows = [(Button(posting.CONFIRM_ALL.format(count=count), actions.posting("ok", token)),)]
    rows += [
        (Button(posting.PICK.format(n=n), actions.posting("pick", f"{token}.{n}")),
         Button(posting.REMOVE.format(n=n), actions.posting("rm", f"{token}.{n}")))
        for n in range(1, count + 1)
    ]
    rows.append((Button(posting.CANCEL, actions.posting("cancel", token)),))
    return tuple(rows)


def sold_out(listing_id: int) -> Rows:
    """已售完: close an open listing of the product a sold-out notice names."""
    return grid([Button(posting.CLOSE_SOLD_OUT.format(id=listing_id),
                        actions.listing("done", listing_id))])


def my_listing(listing_id: int) -> Rows:
    return grid([Button(label, actions.listing(action, listing_id))
                 for action, label in mine.BUTTONS], 3)


def share_phone(*, skip: bool = True) -> ContactRequest:
    """The share-contact button, and 跳过 (at sign-up, where skipping means something)."""
    return ContactRequest(registration.SHARE_PHONE, registration.SKIP if skip else None)


StepAction = Callable[[str, str], str]


def counties(action: StepAction, extra: Sequence[Button] = ()) -> Rows:
    """The county-level units of the city (after any ``extra`` buttons), three to a row."""
    return grid([*extra, *(Button(name, action("county", name))
                           for name in get_gazetteer().county_names())], 3)


def townships(action: StepAction, county: str, whole_county: str) -> Rows:
    """The townships of a county, and a button to stop at the county."""
    buttons = [Button(name, action("town", name)) for name in get_gazetteer().townships(county)]
    buttons.append(Button(whole_county.format(county=county), action("town", "")))
    return grid(buttons, 3)


def places(action: StepAction, candidates: Sequence[str]) -> Rows:
    """Buttons for the places an ambiguous name can mean."""
    return grid([Button(label, action("cand", str(i))) for i, label in enumerate(candidates)], 2)
