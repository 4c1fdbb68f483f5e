"""The buttons farmdock offers: labels from :mod:`bot.texts`, actions from
:mod:`bot.services.actions`, laid out in rows. The Telegram edge draws them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.matching.regions import get_gazetteer
from bot.services import actions
from bot.services.messages import Button, ContactRequest, Rows, grid
from bot.texts import deals, follows, matches, posting, registration
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


def deal_question(match_id: int) -> Rows:
    """成交了 / 还在谈 / 没成交."""
    return grid([Button(deals.DONE_BUTTON, actions.deal("done", match_id)),
                 Button(deals.TALKING_BUTTON, actions.deal("talk", match_id)),
                 Button(deals.NO_BUTTON, actions.deal("no", match_id))])


def deal_take(match_id: int, label: str) -> Rows:
    """Record 成交了 with the quantity and price proposed (recomputed when pressed)."""
    return grid([Button(deals.TAKE_BUTTON.format(amount=label), actions.deal("take", match_id))],
                1)


def close_done(listing_id: int) -> Rows:
    """Close a listing nothing is left of, as 已成交."""
    return grid([Button(deals.CLOSE_BUTTON, actions.listing("done", listing_id))], 1)


def follow_product(listing_id: int, product: str) -> Rows:
    """关注 the product of one of my listings (from a match list)."""
    return grid([Button(follows.FOLLOW_BUTTON.format(product=product),
                        actions.follow("add", listing_id))], 1)


def unfollow(follow_id: int) -> Rows:
    return grid([Button(follows.UNFOLLOW_BUTTON, actions.follow("rm", follow_id))], 1)


def numbered_unfollow(follow_ids: Sequence[int]) -> Rows:
    return grid([Button(follows.NUMBERED_UNFOLLOW_BUTTON.format(n=n), actions.follow("rm", i))
                 for n, i in enumerate(follow_ids, 1)], 2)


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
