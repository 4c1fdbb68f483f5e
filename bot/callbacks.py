"""Callback data of inline buttons: short explicit strings, parsed and never trusted.

Every press is re-checked against the database (role, ownership, state) by
the handler that receives it; these helpers only build and recognise shapes.
Telegram allows at most 64 bytes.
"""

from __future__ import annotations

import re

# 我有意向 on a match: int:<match id>
INTEREST_PATTERN = re.compile(r"^int:(\d{1,12})$")
# An action on one of my listings: lst:<action>:<listing id>
LISTING_ACTIONS = ("qty", "price", "renew", "done", "close")
LISTING_PATTERN = re.compile(rf"^lst:({'|'.join(LISTING_ACTIONS)}):(\d{{1,12}})$")
# A step of posting: post:<step>:<value>
POSTING_PATTERN = re.compile(r"^post:([a-z]+):(.{0,50})$")
# A step of signing up: reg:<step>:<value>
REGISTRATION_PATTERN = re.compile(r"^reg:([a-z]+):(.{0,50})$")


def interest(match_id: int) -> str:
    return f"int:{match_id}"


def listing(action: str, listing_id: int) -> str:
    assert action in LISTING_ACTIONS
    return f"lst:{action}:{listing_id}"


def posting(step: str, value: str | int = "") -> str:
    return f"post:{step}:{value}"


def registration(step: str, value: str | int = "") -> str:
    return f"reg:{step}:{value}"
