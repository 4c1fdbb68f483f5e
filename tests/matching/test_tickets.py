"""The hotline's rules without storage: the loop and who may move it, deadlines by class,
routing to the lowest staffed level, the policy table and its override."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.matching import tickets as rules
from bot.matching.area import CITY, Area
from bot.matching.model import Place
from bot.matching.policy import PolicyError

TOWN = Area("宝丰县", "张八桥镇")
COUNTY = Area("宝丰县")
OWNER = rules.Actor(11, "official", TOWN)
COLLEAGUE = rules.Actor(12, "official", TOWN)
COUNTY_OFFICIAL = rules.Actor(13, "official", COUNTY)
CITY_OFFICIAL = rules.Actor(14, "official", CITY)
OTHER_TOWN = rules.Actor(15, "official", Area("宝丰县", "周庄镇"))
OTHER_COUNTY = rules.Actor(16, "official", Area("叶县"))
FILER = rules.Actor(21, "citizen", TOWN)
STRANGER = rules.Actor(22, "citizen", TOWN)
OPERATOR = rules.Actor(23, "hotline", CITY)


def ticket(state: str, owner_id: int | None = 11, area: Area = TOWN) -> rules.TicketFacts:
    return rules.TicketFacts(state, area, owner_id, 21)  # type: ignore[arg-type]


# Every state change of the loop, and its outcome for each kind of actor.
@pytest.mark.parametrize(("state", "action", "value", "after"), [
    ("受理", "take", "", "派单"),
    ("派单", "start", "", "办理中"),
    ("办理中", "answer", "", "已答复"),
    ("已答复", "close", "已解决", "办结"),
    ("已答复", "close", "已转办", "办结"),
    ("受理", "close", "重复", "办结"),
    ("派单", "close", "非本部门", "办结"),
    ("办理中", "close", "已转办", "办结"),
])
@pytest.mark.parametrize(("who", "allowed"), [
    (OWNER, True), (COLLEAGUE, True), (COUNTY_OFFICIAL, True), (CITY_OFFICIAL, True),
    (OTHER_TOWN, False), (OTHER_COUNTY, False), (FILER, False), (STRANGER, False),
    (OPERATOR, False),
])
def test_each_officials_change_and_who_may_make_it(
    state: str, action: str, value: str, after: str, who: rules.Actor, allowed: bool
) -> None:
    move = rules.move(ticket(state), who, action, value)
    assert move == (rules.Move(after) if allowed else rules.Move(None, "not_allowed"))  # type: ignore[arg-type]


@pytest.mark.parametrize(("rating", "after"), [("满意", "回访"), ("不满意", "办理中")])
def test_only_the_filer_rates_a_closed_ticket_and_not_satisfied_reopens_it(
    rating: str, after: str
) -> None:
    assert rules.move(ticket("办结"), FILER, "rate", rating) == rules.Move(after)  # type: ignore[arg-type]
    for other in (OWNER, CITY_OFFICIAL, STRANGER, OPERATOR):
        assert rules.move(ticket("办结"), other, "rate", rating).refusal == "not_allowed"


@pytest.mark.parametrize(("state", "action", "value"), [
    ("受理", "start", ""), ("受理", "answer", ""), ("派单", "take", ""),
    ("派单", "answer", ""), ("已答复", "start", ""), ("办结", "take", ""),
    ("办结", "close", "重复"), ("回访", "answer", ""), ("受理", "close", "已解决"),
    ("办理中", "close", "已解决"),
])
def test_a_step_out_of_order_is_refused(state: str, action: str, value: str) -> None:
    assert rules.move(ticket(state), OWNER, action, value).refusal == "wrong_state"


@pytest.mark.parametrize(("state", "action", "value"), [
    ("已答复", "close", "随便"), ("办结", "rate", "还行"), ("受理", "delete", ""),
])
def test_a_forged_value_is_refused(state: str, action: str, value: str) -> None:
    who = FILER if action == "rate" else OWNER
    assert rules.move(ticket(state), who, action, value).refusal == "bad_value"


def test_the_owner_keeps_a_ticket_escalated_above_them_and_colleagues_lose_it() -> None:
    escalated = ticket("办理中", owner_id=11, area=COUNTY)
    assert rules.move(escalated, OWNER, "answer").state == "已答复"
    assert rules.move(escalated, COLLEAGUE, "answer").refusal == "not_allowed"
    assert rules.move(escalated, COUNTY_OFFICIAL, "answer").state == "已答复"


def test_a_callers_phone_is_for_the_owner_and_the_areas_officials_only() -> None:
    facts = ticket("受理", owner_id=None)
    seen = {who.user_id for who in (OWNER, COLLEAGUE, COUNTY_OFFICIAL, CITY_OFFICIAL,
                                     OTHER_TOWN, OTHER_COUNTY, FILER, STRANGER, OPERATOR)
            if rules.may_see_phone(who, facts)}
    assert seen == {11, 12, 13, 14}


@pytest.mark.parametrize(("staffed", "owner"), [
    ({TOWN, COUNTY, CITY}, TOWN),
    ({COUNTY, CITY}, COUNTY),
    ({Area("宝丰县", "周庄镇"), CITY}, CITY),
    ({Area("叶县")}, CITY),
    (set(), CITY),
])
def test_routing_goes_to_the_lowest_staffed_level(staffed: set[Area], owner: Area) -> None:
    place = Place(city="平顶山市", county="宝丰县", township="张八桥镇")
    assert rules.route(place, staffed) == owner


def test_a_place_not_read_goes_to_the_city_never_to_another_area() -> None:
    staffed = {TOWN, COUNTY}
    assert rules.route(Place(), staffed) == CITY
    assert rules.route(Place(outside="汝阳县"), staffed) == CITY


def test_escalation_goes_to_the_next_staffed_level_up() -> None:
    assert rules.escalate(TOWN, {TOWN, COUNTY, CITY}) == COUNTY
    assert rules.escalate(TOWN, {TOWN, CITY}) == CITY
    assert rules.escalate(TOWN, {TOWN}) == CITY
    assert rules.escalate(COUNTY, {CITY}) == CITY
    assert rules.escalate(CITY, {CITY}) is None


def test_deadlines_are_calendar_hours_by_class() -> None:
    policy = rules.get_ticket_policy()
    start = 1_000_000.0
    assert policy.deadline("urgent", start) == start + 2 * 3600
    assert policy.deadline("help", start) == start + 24 * 3600
    assert policy.deadline("complaint", start) == start + 72 * 3600
    deadline = policy.deadline("urgent", start)
    assert policy.remind_at("urgent", deadline) == deadline - 30 * 60
    assert policy.escalation_due("urgent", deadline, 0) == deadline
    assert policy.escalation_due("urgent", deadline, 1) == deadline + 2 * 3600


@pytest.mark.parametrize(("category", "text", "cls"), [
    ("缺货", "封控小区断粮两天了", "urgent"),
    ("缺货", "超市面粉卖完了", "help"),
    ("价格", "鸡蛋涨价太厉害", "complaint"),
    ("质量", "买的猪肉变质", "complaint"),
    ("通行", "送菜车过不去卡口", "help"),
])
def test_the_class_comes_from_the_words_then_the_category(
    category: str, text: str, cls: str
) -> None:
    assert rules.get_ticket_policy().class_of(category, text) == cls


@pytest.mark.parametrize(("line", "category", "rest"), [
    ("缺货 小区买不到面粉", "缺货", "小区买不到面粉"),
    ("价格：鸡蛋一天涨了一块", "价格", "鸡蛋一天涨了一块"),
    ("送菜车在卡口过不去", "通行", "送菜车在卡口过不去"),
    ("小区里买不到面粉", "缺货", "小区里买不到面粉"),
    ("你好", None, "你好"),
])
def test_a_line_names_its_category(line: str, category: str | None, rest: str) -> None:
    assert rules.get_ticket_policy().category_in(line) == (category, rest)


def test_numbers_are_the_day_and_its_serial() -> None:
    assert rules.ticket_number(date(2026, 5, 9), 42) == "RX-20260509-0042"
    assert rules.ticket_number(date(2026, 5, 9), 12345) == "RX-20260509-12345"


def test_the_deadlines_come_from_the_policy_directory(policy_dir: Path) -> None:
    (policy_dir / "tickets.json").write_text(json.dumps({"classes": {
        "urgent": {"hours": 1}, "help": {"hours": 12, "remind_before_hours": 2},
        "complaint": {"hours": 48}}}))
    policy = rules.get_ticket_policy()
    assert policy.deadline("urgent", 0) == 3600 and policy.deadline("help", 0) == 12 * 3600
    assert policy.remind_at("help", 12 * 3600) == 10 * 3600


@pytest.mark.parametrize("classes", [
    {"urgent": {"hours": 0}, "help": {"hours": 1}, "complaint": {"hours": 1}},
    {"urgent": {"hours": 2, "remind_before_hours": 3}, "help": {"hours": 1},
     "complaint": {"hours": 1}},
    {"help": {"hours": 1}, "complaint": {"hours": 1}},
])
def test_a_bad_policy_file_is_named(policy_dir: Path, classes: dict[str, object]) -> None:
    (policy_dir / "tickets.json").write_text(json.dumps({"classes": classes}))
    with pytest.raises(PolicyError, match=r"tickets\.json"):
        rules.read_ticket_policy(policy_dir)


def test_a_bad_tickets_table_stops_start_up_in_one_line(tmp_path: Path) -> None:
    from bot.settings import SettingsError, load_settings

    (tmp_path / "tickets.json").write_text('{"classes": {"urgent": {"hours": "soon"}}}')
    with pytest.raises(SettingsError) as caught:
        load_settings({"FARMDOCK_TOKEN": "123456:TEST-token_farmdock",
                       "FARMDOCK_POLICY_DIR": str(tmp_path)}, env_file=None)
    message = str(caught.value)
    assert message.startswith("FARMDOCK_POLICY_DIR") and "tickets.json" in message
    assert "classes.urgent" in message and "\n" not in message
