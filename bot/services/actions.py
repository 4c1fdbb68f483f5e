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
# An official lifting a sealed area from /areas: sea:lift:<area id>
SEALED_AREA_PATTERN = re.compile(r"^sea:lift:(\d{1,12})$")
# A delivery task into a sealed area: the supplier's 已发车, the receiver's 已签收:
# dlv:<go|got>:<delivery id>
DELIVERY_ACTIONS = ("go", "got")
DELIVERY_PATTERN = re.compile(rf"^dlv:({'|'.join(DELIVERY_ACTIONS)}):(\d{{1,12}})$")
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


# 成交了吗 about a match: deal:<answer>:<match id> (take: the proposed quantity and price)
DEAL_ANSWERS = ("done", "talk", "no", "take")
DEAL_PATTERN = re.compile(rf"^deal:({'|'.join(DEAL_ANSWERS)}):(\d{{1,12}})$")
# 关注 the product of one of my listings, or 取消关注: fol:add:<listing id>, fol:rm:<follow id>
FOLLOW_PATTERN = re.compile(r"^fol:(add|rm):(\d{1,12})$")


def deal(answer: str, match_id: int) -> str:
    assert answer in DEAL_ANSWERS
    return f"deal:{answer}:{match_id}"


def follow(action: str, target_id: int) -> str:
    assert action in ("add", "rm")
    return f"fol:{action}:{target_id}"
# An action on a hotline ticket: tk:<action>:<ticket id>[:<value index>] (a close reason
# or a rating, by its place in bot.matching.tickets' lists).
TICKET_ACTIONS = ("take", "start", "answer", "close", "rate", "need")
TICKET_PATTERN = re.compile(rf"^tk:({'|'.join(TICKET_ACTIONS)}):(\d{{1,12}})(?::(\d))?$")
# A step of filing a ticket: tkf:<step>:<value>
TICKET_FORM_PATTERN = re.compile(r"^tkf:([a-z]+):(.{0,50})$")


def ticket(action: str, ticket_id: int, value: int | None = None) -> str:
    assert action in TICKET_ACTIONS
    return f"tk:{action}:{ticket_id}" + ("" if value is None else f":{value}")


def ticket_form(step: str, value: str | int = "") -> str:
    return f"tkf:{step}:{value}"
# An official's decision on a pass: pas:<ok|no|rv>:<pass id> (approve, reject, revoke).
PASS_DECISIONS = ("ok", "no", "rv")
PASS_DECISION_PATTERN = re.compile(rf"^pas:({'|'.join(PASS_DECISIONS)}):(\d{{1,12}})$")
# A step of applying for a pass: pass:<step>:<value>
PASS_STEP_PATTERN = re.compile(r"^pass:([a-z]+):(.{0,50})$")


def pass_decision(decision: str, pass_id: int) -> str:
    assert decision in PASS_DECISIONS
    return f"pas:{decision}:{pass_id}"


def pass_step(step: str, value: str | int = "") -> str:
    return f"pass:{step}:{value}"


# A step of a price report: prc:<step>:<value> (pt: a point's id; ok, kg, again, no)
PRICES_PATTERN = re.compile(r"^prc:([a-z]+):(\d{0,12})$")


def prices(step: str, value: str | int = "") -> str:
    return f"prc:{step}:{value}"


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


def delivery(action: str, delivery_id: int) -> str:
    return f"dlv:{action}:{delivery_id}"


def lift_area(area_id: int) -> str:
    return f"sea:lift:{area_id}"
