"""/start: sign a grower or buyer up (role → name → organisation → place → phone), a citizen
(role → name → place), or redeem an official's or a hotline operator's one-time invite
link (t.me/<bot>?start=<code>)."""

from __future__ import annotations

from typing import Any

from bot.handlers import passes
from bot.handlers.common import refuse_press, stale_press
from bot.handlers.request import Request
from bot.handlers.routing import Flow, Step
from bot.matching.area import Area
from bot.matching.model import Place
from bot.matching.passes import token_of_start
from bot.matching.phones import find_phone, normalize_phone
from bot.matching.regions import get_gazetteer
from bot.matching.text import normalize
from bot.services import actions, buttons, users
from bot.services.messages import Button, Message, grid
from bot.texts import registration as texts
from bot.texts.html import esc

FLOW_NAME = "signup"
ROLE, NAME, ORGANISATION, PLACE, PHONE = "role", "name", "organisation", "place", "phone"
CITIZEN = "citizen"
MAX_NAME = 30
# Which presses each step takes (reg:<press step>:<value>).
_PRESSES = {ROLE: ("role",), NAME: ("name",), ORGANISATION: ("org",),
            PLACE: ("county", "town", "cand")}


async def start(req: Request) -> None:
    """/start [invite code]: greet, redeem an invite, or begin signing up."""
    if req.args:
        token = token_of_start(req.args[0])
        if token is not None:  # a pass's QR code, scanned at a checkpoint
            await passes.verify_token(req, token)
            return
        await _redeem(req, req.args[0])
        return
    account = req.account
    if account is not None and account.status == "active":
        req.say(texts.welcome_back(account.name or account.organisation, account.role))
        return
    req.conversation.enter(FLOW_NAME, ROLE)
    req.say(Message(texts.WELCOME, grid(
        [Button(label, actions.registration("role", role)) for role, label in texts.ROLE_BUTTONS],
        1,
    )))


async def _redeem(req: Request, code: str) -> None:
    user = await users.redeem_invite(req.uow, code, req.caller.id, req.caller.full_name)
    if user is None:
        req.say(texts.INVITE_INVALID)
        return
    req.say(texts.invite_accepted(user.name, user.role, user.area.label))
    req.replies.menu_for = user


def _signup(req: Request) -> dict[str, Any]:
    return req.conversation.data


async def pressed(req: Request) -> None:
    """A button of sign-up: only the step the chat is at takes it."""
    assert req.press is not None
    matched = actions.REGISTRATION_PATTERN.match(req.press.action)
    step = req.conversation.step or ""
    if matched is None or matched.group(1) not in _PRESSES.get(step, ()):
        await stale_press(req, "sign-up button of another step")
        return
    press, value = matched.group(1), matched.group(2)
    if step == ROLE:
        await _role_chosen(req, value)
    elif step == NAME and value == "tg":
        _name_given(req, req.caller.full_name)
    elif step == ORGANISATION and value == "none":
        _organisation_given(req, "")
    elif step == PLACE:
        await _place_pressed(req, press, value)
    else:
        await refuse_press(req, f"bad sign-up {press}")


async def _role_chosen(req: Request, role: str) -> None:
    """供应方 or 采购方 pressed."""
    if role not in users.SELF_SERVICE_ROLES:
        await refuse_press(req, "bad sign-up role")
        return
    _signup(req)["role"] = role
    req.conversation.goto(NAME)
    name = req.caller.full_name[:MAX_NAME]
    req.say(Message(texts.ASK_NAME, grid(
        [Button(texts.USE_TELEGRAM_NAME.format(name=name), actions.registration("name", "tg"))], 1
    )))


async def name_typed(req: Request) -> None:
    name = (req.text or "").strip()
    if len(name) > MAX_NAME:
        req.say(texts.NAME_TOO_LONG)
        return
    _name_given(req, name)


def _name_given(req: Request, name: str) -> None:
    _signup(req)["name"] = name[:MAX_NAME]
    if _signup(req).get("role") == CITIZEN:
        # A citizen gives a name and a place, nothing more.
        _organisation_given(req, "")
        return
    req.conversation.goto(ORGANISATION)
    req.say(Message(texts.ASK_ORG, grid(
        [Button(texts.NO_ORG, actions.registration("org", "none"))], 1
    )))


async def organisation_typed(req: Request) -> None:
    organisation = (req.text or "").strip()
    if len(organisation) > MAX_NAME:
        req.say(texts.NAME_TOO_LONG)
        return
    _organisation_given(req, organisation)


def _organisation_given(req: Request, organisation: str) -> None:
    _signup(req)["organisation"] = organisation
    req.conversation.goto(PLACE)
    req.say(Message(texts.ASK_COUNTY, buttons.counties(actions.registration)))


async def _place_pressed(req: Request, press: str, value: str) -> None:
    """A county, a township, or one of several candidates pressed."""
    signup = _signup(req)
    gazetteer = get_gazetteer()
    if press == "county" and value in gazetteer.county_names():
        signup["county"] = value
        req.say(Message(texts.ASK_TOWNSHIP.format(county=value),
                        buttons.townships(actions.registration, value, texts.WHOLE_COUNTY)))
        return
    county = signup.get("county")
    if press == "town" and county and (value == "" or value in gazetteer.townships(county)):
        await _place_settled(req, Place(county=county, township=value or None))
        return
    candidates = signup.get("candidates", [])
    if press == "cand" and value.isdigit() and int(value) < len(candidates):
        await _place_settled(req, Place(**candidates[int(value)]))
        return
    await refuse_press(req, "bad sign-up place")


async def place_typed(req: Request) -> None:
    """A place name typed instead of pressed, understood by the gazetteer."""
    places = [p for p in get_gazetteer().resolve((req.text or "").strip())
              if p.in_city and p.county]
    if len(places) == 1:
        await _place_settled(req, places[0])
        return
    if not places:
        req.say(Message(texts.PLACE_UNKNOWN, buttons.counties(actions.registration)))
        return
    _signup(req)["candidates"] = [{"county": p.county, "township": p.township} for p in places]
    req.say(Message(texts.PLACE_AMBIGUOUS,
                    buttons.places(actions.registration, [p.label() for p in places])))


async def _place_settled(req: Request, place: Place) -> None:
    signup = _signup(req)
    signup.update(county=place.county, township=place.township)
    signup.pop("candidates", None)
    if signup.get("role") == CITIZEN:
        await _signed_up(req, None)
        return
    req.conversation.goto(PHONE)
    req.say(Message(texts.ASK_PHONE, contact_request=buttons.share_phone()))


async def phone_shared(req: Request) -> None:
    """The share-contact button: the user's own number only."""
    assert req.contact is not None
    if req.contact.user_id != req.caller.id:
        req.say(Message(texts.OTHERS_CONTACT, contact_request=buttons.share_phone()))
        return
    phone = normalize_phone(req.contact.phone)
    if phone is None:
        req.say(Message(texts.NOT_CHINESE_PHONE, contact_request=buttons.share_phone()))
        return
    await _signed_up(req, phone)


async def phone_typed(req: Request) -> None:
    """跳过, or anything else typed at the phone step: why a typed number is not taken, or
    the question again, with the two buttons."""
    text = (req.text or "").strip()
    if text == texts.SKIP:
        await _signed_up(req, None)
        return
    typed_number = find_phone(normalize(text)) is not None
    req.say(Message(texts.TYPED_PHONE if typed_number else texts.ASK_PHONE,
                    contact_request=buttons.share_phone()))


async def _signed_up(req: Request, phone: str | None) -> None:
    signup = _signup(req)
    area = Area.of(signup.get("county"), signup.get("township"))
    user = await users.sign_up(
        req.uow, req.caller.id, role=signup["role"], name=signup.get("name", ""),
        organisation=signup.get("organisation", ""), area=area, phone=phone,
    )
    req.conversation.end()
    if user.role == CITIZEN:
        req.say(texts.CITIZEN_SIGNED_UP.format(name=esc(user.name), place=esc(area.label)))
        req.replies.menu_for = user  # the hotline's commands, not the posting ones
        return
    req.say(Message(texts.signed_up(user.role, user.name, user.organisation, area.label,
                                    user.phone), clear_keyboard=True))


FLOW = Flow(
    name=FLOW_NAME,
    steps={
        ROLE: Step(),
        NAME: Step(text=name_typed),
        ORGANISATION: Step(text=organisation_typed),
        PLACE: Step(text=place_typed),
        PHONE: Step(text=phone_typed, contact=phone_shared),
    },
    namespace="reg",
    press=pressed,
)
