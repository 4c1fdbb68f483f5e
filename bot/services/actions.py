"""What a button asks for: short explicit strings, built here, parsed and never trusted.

Every press is re-checked against the database (role, ownership, state) by the
handler that receives it; these helpers only build and recognise shapes. The part
before the first ``:`` is the action's namespace, by which presses are routed.
Telegram carries at most 64 bytes of it.
"""

from __future__ import annotations

import re

# 我有意向 on a recorded match: int:<match id>
INTEREST_PATTERN = re.compile(r"^int:(\d{1,12})$")
# 我有意向 on a pair shown but not recorded yet (/matches reads, it does not write):
# pair:<need id>:<offer id>
PAIR_PATTERN = re.compile(r"^pair:(\d{1,12}):(\d{1,12})$")
# An action on one of my listings: lst:<action>:<listing id>
LISTING_ACTIONS = ("qty", "price", "renew", "done", "close")
LISTING_PATTERN = re.compile(rf"^lst:({'|'.join(LISTING_ACTIONS)}):(\d{{1,12}})$")
# A step of posting: post:<step>:<value>
POSTING_PATTERN = re.compile(r"^post:([a-z]+):(.{0,50})$")
# A need the survey drafted, on its card: srv:<pub|qty|no>:<survey need id>
SURVEY_NEED_ACTIONS = ("pub", "qty", "no")
SURVEY_NEED_PATTERN = re.compile(rf"^srv:({'|'.join(SURVEY_NEED_ACTIONS)}):(\d{{1,12}})$")
# An official on an escalated need: esc:<cand|ack>:<listing id>
ESCALATION_ACTIONS = ("cand", "ack")
ESCALATION_PATTERN = re.compile(rf"^esc:({'|'.join(ESCALATION_ACTIONS)}):(\d{{1,12}})$")
# A registry supplier's answer to a request (its linked user, or an official who called):
# sup:<yes|no|part>:<request id>
SUPPLIER_REQUEST_ACTIONS = ("yes", "no", "part")
SUPPLIER_REQUEST_PATTERN = re.compile(
    rf"^sup:({'|'.join(SUPPLIER_REQUEST_ACTIONS)}):(\d{{1,12}})$")
# An official editing a registry supplier from its card: spl:edit:<supplier id>
SUPPLIER_EDIT_PATTERN = re.compile(r"^spl:edit:(\d{1,12})$")
# A step of signing up: reg:<step>:<value>
REGISTRATION_PATTERN = re.compile(r"^reg:([a-z]+):(.{0,50})$")


def interest(match_id: int) -> str:
    return f"int:{match_id}"


def pair(need_id: int, offer_id: int) -> str:
    return f"pair:{need_id}:{offer_id}"


def listing(action: str, listing_id: int) -> str:
    assert action in LISTING_ACTIONS
    return f"lst:{action}:{listing_id}"


def posting(step: str, value: str | int = "") -> str:
    return f"post:{step}:{value}"


def registration(step: str, value: str | int = "") -> str:
    return f"reg:{step}:{value}"


def survey_need(action: str, need_id: int) -> str:
    assert action in SURVEY_NEED_ACTIONS
    return f"srv:{action}:{need_id}"


def escalation(action: str, listing_id: int) -> str:
    assert action in ESCALATION_ACTIONS
    return f"esc:{action}:{listing_id}"


def supplier_request(action: str, request_id: int) -> str:
    assert action in SUPPLIER_REQUEST_ACTIONS
    return f"sup:{action}:{request_id}"


def supplier_edit(supplier_id: int) -> str:
    return f"spl:edit:{supplier_id}"
