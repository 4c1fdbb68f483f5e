"""Inline and reply keyboards: texts from :mod:`bot.texts`, data from :mod:`bot.callbacks`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot import callbacks
from bot.matching.regions import get_gazetteer
from bot.texts import matches, posting, registration
from bot.texts import my_listings as mine

Markup = InlineKeyboardMarkup


def grid(buttons: Iterable[tuple[str, str]], columns: int = 3) -> InlineKeyboardMarkup:
    """(text, callback data) pairs laid out ``columns`` to a row."""
    items = [InlineKeyboardButton(text, callback_data=data) for text, data in buttons]
    return InlineKeyboardMarkup([items[i : i + columns] for i in range(0, len(items), columns)])


def interest(match_id: int) -> InlineKeyboardMarkup:
    return grid([(matches.INTEREST_BUTTON, callbacks.interest(match_id))], 1)


def numbered_interest(match_ids: Sequence[int | None]) -> InlineKeyboardMarkup | None:
    """A 我有意向 button per match of a list, numbered as the list is; None in the list
    stands for a match that needs no button (answered already)."""
    buttons = [
        (matches.NUMBERED_INTEREST_BUTTON.format(n=n), callbacks.interest(match_id))
        for n, match_id in enumerate(match_ids, 1) if match_id is not None
    ]
    return grid(buttons, 2) if buttons else None


def confirm_card(token: str) -> InlineKeyboardMarkup:
    return grid([
        (posting.CONFIRM, callbacks.posting("ok", token)),
        (posting.EDIT, callbacks.posting("edit", token)),
        (posting.CANCEL, callbacks.posting("cancel", token)),
    ])


def my_listing(listing_id: int) -> InlineKeyboardMarkup:
    return grid(
        [(label, callbacks.listing(action, listing_id)) for action, label in mine.BUTTONS], 3
    )


def share_phone(*, skip: bool = True) -> ReplyKeyboardMarkup:
    """The share-contact button, and 跳过 (at sign-up, where skipping means something)."""
    rows = [[KeyboardButton(registration.SHARE_PHONE, request_contact=True)]]
    if skip:
        rows.append([KeyboardButton(registration.SKIP)])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


StepData = Callable[[str, str], str]


def counties(data: StepData, extra: Sequence[tuple[str, str]] = ()) -> InlineKeyboardMarkup:
    """The county-level units of the city (after any ``extra`` buttons), three to a row."""
    buttons = [*extra, *((name, data("county", name)) for name in get_gazetteer().county_names())]
    return grid(buttons, 3)


def townships(data: StepData, county: str, whole_county: str) -> InlineKeyboardMarkup:
    """The townships of a county, and a button to stop at the county."""
    buttons = [(name, data("town", name)) for name in get_gazetteer().townships(county)]
    buttons.append((whole_county.format(county=county), data("town", "")))
    return grid(buttons, 3)


def places(data: StepData, candidates: Sequence[str]) -> InlineKeyboardMarkup:
    """Buttons for the places an ambiguous name can mean."""
    return grid([(label, data("cand", str(i))) for i, label in enumerate(candidates)], 2)
