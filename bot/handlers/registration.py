"""/start: sign a grower or buyer up (role → name → organisation → place → phone), or redeem
an official's one-time invite link (t.me/<bot>?start=<code>)."""

from __future__ import annotations

from typing import Any

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks, keyboards, menus
from bot.handlers.common import (
    FarmContext,
    answer,
    canceller,
    refuse_press,
    reply,
    telegram_name,
    typed_text,
)
from bot.matching.model import Place
from bot.matching.phones import find_phone, normalize_phone
from bot.matching.regions import get_gazetteer
from bot.matching.text import normalize
from bot.services import users as people
from bot.texts import registration as texts
from storage import users

ROLE, NAME, ORGANISATION, PLACE, PHONE = "role", "name", "organisation", "place", "phone"
MAX_NAME = 30
_SIGNUP = "signup"


def _signup(context: FarmContext) -> dict[str, Any]:
    assert context.user_data is not None
    return context.user_data.setdefault(_SIGNUP, {})


async def start(update: Update, context: FarmContext) -> str | int:
    """/start [invite code]: greet, redeem an invite, or begin signing up."""
    assert update.effective_user is not None
    if context.args:
        return await _redeem(update, context, context.args[0])
    account = context.account
    if account is not None and account.status == "active":
        await reply(update, texts.welcome_back(account.name or account.organisation,
                                               account.role))
        return ConversationHandler.END
    _signup(context).clear()
    await reply(update, texts.WELCOME, keyboards.grid(
        [(label, callbacks.registration("role", role)) for role, label in texts.ROLE_BUTTONS], 1
    ))
    return ROLE


async def _redeem(update: Update, context: FarmContext, code: str) -> int:
    assert update.effective_user is not None
    user = await users.redeem_invite(
        context.services.db, code[:64], update.effective_user.id, telegram_name(update),
    )
    if user is None:
        await reply(update, texts.INVITE_INVALID)
    else:
        region = people.region_of(user.place).label
        await reply(update, texts.invite_accepted(user.name, user.role, region))
        await menus.set_staff_menu(context.bot, user)
    return ConversationHandler.END


async def role_chosen(update: Update, context: FarmContext) -> str | None:
    """供应方 or 采购方 pressed."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    step, value = _step(query.data)
    if step != "role" or value not in people.SELF_SERVICE_ROLES:
        await refuse_press(update, context, "bad sign-up role")
        return None
    await answer(query)
    _signup(context)["role"] = value
    name = telegram_name(update)[:MAX_NAME]
    await reply(update, texts.ASK_NAME, keyboards.grid(
        [(texts.USE_TELEGRAM_NAME.format(name=name), callbacks.registration("name", "tg"))], 1
    ))
    return NAME


async def name_given(update: Update, context: FarmContext) -> str | None:
    """The name, typed or taken from Telegram."""
    assert update.effective_user is not None
    if update.callback_query is not None:
        await answer(update.callback_query)
        name = telegram_name(update)
    else:
        name = _typed(update)
        if len(name) > MAX_NAME:
            await reply(update, texts.NAME_TOO_LONG)
            return None
    _signup(context)["name"] = name[:MAX_NAME]
    await reply(update, texts.ASK_ORG, keyboards.grid(
        [(texts.NO_ORG, callbacks.registration("org", "none"))], 1
    ))
    return ORGANISATION


async def organisation_given(update: Update, context: FarmContext) -> str | None:
    """The organisation, typed, or none."""
    if update.callback_query is not None:
        await answer(update.callback_query)
        organisation = ""
    else:
        organisation = _typed(update)
        if len(organisation) > MAX_NAME:
            await reply(update, texts.NAME_TOO_LONG)
            return None
    _signup(context)["organisation"] = organisation
    await reply(update, texts.ASK_COUNTY, keyboards.counties(callbacks.registration))
    return PLACE


async def place_pressed(update: Update, context: FarmContext) -> str | None:
    """A county, a township, or one of several candidates pressed."""
    query = update.callback_query
    assert query is not None
    step, value = _step(query.data)
    signup = _signup(context)
    gazetteer = get_gazetteer()
    if step == "county" and value in gazetteer.county_names():
        await answer(query)
        signup["county"] = value
        await reply(update, texts.ASK_TOWNSHIP.format(county=value),
                    keyboards.townships(callbacks.registration, value, texts.WHOLE_COUNTY))
        return PLACE
    county = signup.get("county")
    if step == "town" and county and (value == "" or value in gazetteer.townships(county)):
        await answer(query)
        return await _place_settled(update, context, Place(county=county, township=value or None))
    candidates = signup.get("candidates", [])
    if step == "cand" and value.isdigit() and int(value) < len(candidates):
        await answer(query)
        return await _place_settled(update, context, Place(**candidates[int(value)]))
    await refuse_press(update, context, "bad sign-up place")
    return None


async def place_typed(update: Update, context: FarmContext) -> str | None:
    """A place name typed instead of pressed, understood by the gazetteer."""
    places = [p for p in get_gazetteer().resolve(_typed(update)) if p.in_city and p.county]
    if len(places) == 1:
        return await _place_settled(update, context, places[0])
    if not places:
        await reply(update, texts.PLACE_UNKNOWN, keyboards.counties(callbacks.registration))
        return None
    _signup(context)["candidates"] = [
        {"county": p.county, "township": p.township} for p in places
    ]
    await reply(update, texts.PLACE_AMBIGUOUS,
                keyboards.places(callbacks.registration, [p.label() for p in places]))
    return None


async def _place_settled(update: Update, context: FarmContext, place: Place) -> str:
    signup = _signup(context)
    signup.update(county=place.county, township=place.township)
    signup.pop("candidates", None)
    await reply(update, texts.ASK_PHONE, keyboards.share_phone())
    return PHONE


async def phone_shared(update: Update, context: FarmContext) -> str | int | None:
    """The share-contact button (own number only), or 跳过."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    phone = None
    if message.contact is not None:
        if message.contact.user_id != update.effective_user.id:
            await reply(update, texts.OTHERS_CONTACT, keyboards.share_phone())
            return None
        phone = normalize_phone(message.contact.phone_number)
        if phone is None:
            await reply(update, texts.NOT_CHINESE_PHONE, keyboards.share_phone())
            return None
    signup = _signup(context)
    region = people.Region(signup.get("county"), signup.get("township"))
    user = await people.sign_up(
        context.services.db, update.effective_user.id, role=signup["role"],
        name=signup.get("name", ""), organisation=signup.get("organisation", ""),
        region=region, phone=phone,
    )
    assert context.user_data is not None
    context.user_data.pop(_SIGNUP, None)
    await reply(update, texts.signed_up(user.role, user.name, user.organisation, region.label,
                                        user.phone), ReplyKeyboardRemove())
    return ConversationHandler.END


async def phone_reminder(update: Update, context: FarmContext) -> None:
    """Anything else typed at the phone step: why a typed number is not taken, or the
    question again, with the two buttons."""
    typed_number = find_phone(normalize(_typed(update))) is not None
    await reply(update, texts.TYPED_PHONE if typed_number else texts.ASK_PHONE,
                keyboards.share_phone())


def _typed(update: Update) -> str:
    return typed_text(update).strip()


def _step(data: str | None) -> tuple[str, str]:
    matched = callbacks.REGISTRATION_PATTERN.match(data or "")
    return (matched.group(1), matched.group(2)) if matched else ("", "")


def conversation() -> ConversationHandler:
    """The sign-up conversation, persisted so a restart resumes at the same step."""
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={
            ROLE: [CallbackQueryHandler(role_chosen, pattern=r"^reg:role:")],
            NAME: [CallbackQueryHandler(name_given, pattern=r"^reg:name:tg$"),
                   MessageHandler(text, name_given)],
            ORGANISATION: [CallbackQueryHandler(organisation_given, pattern=r"^reg:org:none$"),
                           MessageHandler(text, organisation_given)],
            PLACE: [CallbackQueryHandler(place_pressed, pattern=r"^reg:"),
                    MessageHandler(text, place_typed)],
            PHONE: [MessageHandler(filters.CONTACT, phone_shared),
                    MessageHandler(filters.Text([texts.SKIP]), phone_shared),
                    MessageHandler(text, phone_reminder)],
        },
        fallbacks=[CommandHandler("cancel", canceller(_SIGNUP)), CommandHandler("start", start)],
        name="registration",
        persistent=True,
    )
