"""The supply hotline's tickets (诉求): categories, classes and deadlines, the closed loop
of states, who may move a ticket, where it is routed. Pure: no I/O, the clock passed in.

The loop follows the 12345 hotline's: 受理 (received) → 派单 (dispatched to an owner,
the official who takes it) → 办理中 → 已答复 (answered) → 办结 (closed, with a reason)
→ 回访 (the filer rated it). A filer not satisfied (不满意) reopens it: back to 办理中,
with a new deadline. A duplicate, another department's matter or one passed on may be
closed before it is answered; 已解决 only after an answer.

Deadlines are calendar hours by class (``tickets.json``): the hotline runs day and night
in an emergency, so there is no holiday calendar. The owner is reminded
``remind_before_hours`` ahead; when the deadline passes the ticket goes one staffed level
up (township → county → city), and one more level each further class period.

Routing: a ticket belongs to the officials of the lowest level of its place that has an
active official (the township, else its county, else the city). A place that cannot be
read is the city's: it never lands with an official of another area.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from bot.matching import policy
from bot.matching.area import CITY, Area
from bot.matching.model import Place

POLICY_FILE = "tickets.json"

CATEGORIES: tuple[str, ...] = ("缺货", "价格", "配送", "通行", "质量", "其他")
TicketClass = Literal["urgent", "help", "complaint"]
CLASSES: tuple[TicketClass, ...] = ("urgent", "help", "complaint")

State = Literal["受理", "派单", "办理中", "已答复", "办结", "回访"]
STATES: tuple[State, ...] = ("受理", "派单", "办理中", "已答复", "办结", "回访")
# A ticket still being worked on: its deadline runs, it can be overdue and escalated.
OPEN_STATES: tuple[State, ...] = ("受理", "派单", "办理中")
CLOSE_REASONS: tuple[str, ...] = ("已解决", "重复", "非本部门", "已转办")
RATINGS: tuple[str, ...] = ("满意", "不满意")

# What may be done to a ticket. ``take``: an official of the area makes it theirs (派单);
# ``rate`` is the filer's callback (回访), everything else the owner's or the area's.
Action = Literal["take", "start", "answer", "close", "rate"]
ACTIONS: tuple[Action, ...] = ("take", "start", "answer", "close", "rate")

NUMBER_PREFIX = "RX"


class TicketPolicyError(policy.PolicyError):
    """``tickets.json`` holds a bad value; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class ClassRule:
    label: str
    hours: float
    remind_before_hours: float


@dataclass(frozen=True, slots=True)
class TicketPolicy:
    classes: Mapping[str, ClassRule]
    category_class: Mapping[str, TicketClass]
    urgent_words: tuple[str, ...]
    category_words: Mapping[str, tuple[str, ...]]

    @property
    def longest_lead(self) -> float:
        """Seconds ahead of its deadline the earliest reminder of any class comes: no
        ticket due later than that needs looking at yet."""
        return max(rule.remind_before_hours for rule in self.classes.values()) * 3600

    def rule(self, ticket_class: str) -> ClassRule:
        return self.classes[ticket_class]

    def deadline(self, ticket_class: str, start: float) -> float:
        """When a ticket of ``ticket_class`` received (or reopened) at ``start`` is due."""
        return start + self.rule(ticket_class).hours * 3600

    def remind_at(self, ticket_class: str, deadline: float) -> float:
        return deadline - self.rule(ticket_class).remind_before_hours * 3600

    def escalation_due(self, ticket_class: str, deadline: float, escalations: int) -> float:
        """When the ticket goes up once more, having gone up ``escalations`` times: at the
        deadline, then one class period later each time."""
        return deadline + escalations * self.rule(ticket_class).hours * 3600

    def class_of(self, category: str, text: str) -> TicketClass:
        """The class a ticket gets unless one is given: urgent when the text says a
        household is without food (断粮, 没吃的 …), else its category's."""
        if any(word in text for word in self.urgent_words):
            return "urgent"
        return self.category_class.get(category, "help")

    def category_in(self, text: str) -> tuple[str | None, str]:
        """The category a line names (its first word of a category) and the line without
        a leading category name: ``缺货 小区没面粉`` → (缺货, 小区没面粉)."""
        stripped = text.strip()
        for category in CATEGORIES:
            if stripped.startswith(category):
                return category, stripped[len(category):].lstrip(" ：:，,")
        best: tuple[int, str] | None = None
        for category, words in self.category_words.items():
            for word in words:
                at = stripped.find(word)
                if at >= 0 and (best is None or at < best[0]):
                    best = (at, category)
        return (best[1] if best else None), stripped


def policy_from(data: Any, where: str) -> TicketPolicy:
    """The policy a parsed ``tickets.json`` states; TicketPolicyError naming ``where``."""
    def bad(key: str, why: str) -> TicketPolicyError:
        return TicketPolicyError(f"policy file {where}: {key} {why}")

    if not isinstance(data, dict):
        raise bad("the file", "must be a JSON object")
    classes: dict[str, ClassRule] = {}
    for name in CLASSES:
        try:
            entry = data["classes"][name]
            hours = float(entry["hours"])
            ahead = float(entry.get("remind_before_hours", 0))
            label = str(entry.get("label", name))
        except (KeyError, TypeError, ValueError):
            raise bad(f"classes.{name}", "must give hours (a positive number)") from None
        if not (math.isfinite(hours) and hours > 0):
            raise bad(f"classes.{name}.hours", "must be a positive number")
        if not (math.isfinite(ahead) and 0 <= ahead < hours):
            raise bad(f"classes.{name}.remind_before_hours",
                      "must be at least 0 and less than hours")
        classes[name] = ClassRule(label, hours, ahead)
    mapping = data.get("category_class", {})
    if not isinstance(mapping, dict) or any(
        c not in CATEGORIES or k not in CLASSES for c, k in mapping.items()
    ):
        raise bad("category_class", f"must map categories {CATEGORIES} to classes {CLASSES}")
    urgent = data.get("urgent_words", [])
    words = data.get("category_words", {})
    if not (isinstance(urgent, list) and all(isinstance(w, str) and w for w in urgent)):
        raise bad("urgent_words", "must be a list of words")
    if not (isinstance(words, dict) and all(
        c in CATEGORIES and isinstance(ws, list) and all(isinstance(w, str) and w for w in ws)
        for c, ws in words.items()
    )):
        raise bad("category_words", "must map categories to lists of words")
    return TicketPolicy(
        classes, dict(mapping), tuple(urgent),
        {c: tuple(ws) for c, ws in words.items()},
    )


def read_ticket_policy(folder: Path | None) -> TicketPolicy:
    """The policy with overrides from ``folder`` (its ``tickets.json``), read now."""
    return policy_from(policy.load_policy(POLICY_FILE, folder),
                       policy.source_of(POLICY_FILE, folder))


_cached = cache(read_ticket_policy)


def get_ticket_policy() -> TicketPolicy:
    """The ticket policy in force (the override directory's ``tickets.json`` if any)."""
    return _cached(policy.directory())


def ticket_number(day: date, serial: int) -> str:
    """The number a filer quotes: RX-20260509-0042 (the day's serial, four digits or more)."""
    return f"{NUMBER_PREFIX}-{day.strftime('%Y%m%d')}-{serial:04d}"


# -- routing ----------------------------------------------------------------------------


def place_area(place: Place) -> Area:
    """The lowest area a ticket's place names; the city for a place not read (or outside)."""
    if place.outside or not place.county:
        return CITY
    return Area(place.county, place.township)


def chain(area: Area) -> list[Area]:
    """``area`` and every area above it, lowest first."""
    found: list[Area] = []
    current: Area | None = area
    while current is not None:
        found.append(current)
        current = current.up()
    return found


def route(place: Place, staffed: Collection[Area]) -> Area:
    """The lowest level of ``place`` with an active official (``staffed`` are the areas of
    active officials); the city when none of them is staffed."""
    for area in chain(place_area(place)):
        if area in staffed:
            return area
    return CITY


def escalate(owner_area: Area, staffed: Collection[Area]) -> Area | None:
    """The next staffed level above ``owner_area`` (the city even when unstaffed); None
    when the ticket is with the city already."""
    above = chain(owner_area)[1:]
    for area in above:
        if area in staffed:
            return area
    return above[-1] if above else None


# -- the loop ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts on a ticket, as far as the rules care."""

    user_id: int
    role: str
    area: Area


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What the rules read of a ticket."""

    state: State
    owner_area: Area
    owner_id: int | None
    filer_id: int | None


@dataclass(frozen=True, slots=True)
class Move:
    """What an action does: the new state (and why it was refused, in a code)."""

    state: State | None
    refusal: str | None = None


def may_handle(actor: Actor, ticket: TicketFacts) -> bool:
    """The owner, officials whose area covers the ticket's owner area, and admins."""
    if actor.role == "admin":
        return True
    if actor.role != "official":
        return False
    if ticket.owner_id is not None and actor.user_id == ticket.owner_id:
        return True
    area = ticket.owner_area
    return actor.area.level == "city" or (
        actor.area.county == area.county
        and (actor.area.township is None or actor.area.township == area.township)
    )


def may_see_phone(viewer: Actor, ticket: TicketFacts) -> bool:
    """A caller's phone is seen by the ticket's owner and the officials of its area only."""
    return may_handle(viewer, ticket)


def move(ticket: TicketFacts, actor: Actor, action: str, value: str = "") -> Move:
    """The state ``action`` (with ``value``: a close reason, a rating) takes the ticket to,
    or why ``actor`` may not: ``not_allowed`` (not theirs to change), ``wrong_state`` (not
    at this point of the loop), ``bad_value``."""
    if action not in ACTIONS:
        return Move(None, "bad_value")
    if action == "rate":
        if actor.user_id != ticket.filer_id:
            return Move(None, "not_allowed")
        if value not in RATINGS:
            return Move(None, "bad_value")
        if ticket.state != "办结":
            return Move(None, "wrong_state")
        return Move("回访" if value == "满意" else "办理中")
    if not may_handle(actor, ticket):
        return Move(None, "not_allowed")
    if action == "take":
        return Move("派单") if ticket.state == "受理" else Move(None, "wrong_state")
    if action == "start":
        return Move("办理中") if ticket.state == "派单" else Move(None, "wrong_state")
    if action == "answer":
        return Move("已答复") if ticket.state == "办理中" else Move(None, "wrong_state")
    # close
    if value not in CLOSE_REASONS:
        return Move(None, "bad_value")
    if ticket.state == "已答复" or (ticket.state in OPEN_STATES and value != "已解决"):
        return Move("办结")
    return Move(None, "wrong_state")


def is_overdue(state: str, deadline_at: float, now: float) -> bool:
    return state in OPEN_STATES and now >= deadline_at
