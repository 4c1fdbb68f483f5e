"""Posting: one line ("出售大白菜5000斤，0.8元/斤") or step by step (/offer, /need).

Both fill one draft (kept in user_data, so a restart resumes) and ask what is
missing one field at a time, with buttons where the answers are few; then a
card shows what was understood, with 确认发布, 修改 and 取消. The listing is
committed to the database before the bot says 已发布.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks, keyboards
from bot.handlers.common import (
    FarmContext,
    answer,
    canceller,
    edit,
    refuse_press,
    reply,
    stale_press,
    too_fast,
    trader,
    typed_text,
)
from bot.handlers.matches import match_lines
from bot.matching.catalogue import CATEGORIES, get_catalogue
from bot.matching.chatter import chatter_kind
from bot.matching.model import CITY_NAME, Place
from bot.matching.regions import get_gazetteer
from bot.services import drafts
from bot.services.listings import html_message, publish_listing, valid_days_for
from bot.texts import common as common_texts
from bot.texts import listings as fmt
from bot.texts import matches as match_texts
from bot.texts import posting as texts
from storage.outbox import OutgoingMessage, enqueue

log = logging.getLogger(__name__)

DRAFTING = "drafting"
_DRAFT = "draft"
# Product buttons offered per category; the rest can be typed.
PRODUCT_BUTTONS = 15


def _today(context: FarmContext) -> date:
    return datetime.now(context.services.settings.timezone).date()


def _draft(context: FarmContext) -> dict[str, Any] | None:
    assert context.user_data is not None
    return context.user_data.get(_DRAFT)


async def line_posted(update: Update, context: FarmContext) -> str | int | None:
    """A one-line post from a signed-up user; small talk (你好, 谢谢) is answered instead."""
    message = update.effective_message
    assert message is not None and context.user_data is not None
    if (chatter := chatter_kind(message.text or "")) is not None:
        await _answer_chatter(update, context, chatter)
        return None  # no draft: a card already shown stays as it is
    account = await trader(update, context)
    if account is None:
        return ConversationHandler.END
    if too_fast(context):
        await reply(update, common_texts.SLOW_DOWN)
        return None
    draft, refused = drafts.from_post(typed_text(update), account, _today(context))
    if refused:
        await reply(update, "\n".join(refused))
    if draft is None:
        return None  # refused as a whole: whatever was in progress stays as it was
    context.user_data[_DRAFT] = draft
    return await _advance(update, context)


async def _answer_chatter(update: Update, context: FarmContext, kind: str) -> None:
    """Greet back with one line on what to do: post, sign up, or press the card's button."""
    account = context.account
    role = account.role if account is not None and account.status == "active" else None
    draft = _draft(context)
    await reply(update, texts.chatter_reply(kind, role, draft is not None
                                            and draft["asking"] is None))


async def steps_started(update: Update, context: FarmContext) -> str | int:
    """/offer or /need: walk through every field."""
    message = update.effective_message
    assert message is not None and context.user_data is not None
    if await trader(update, context) is None:
        return ConversationHandler.END
    kind = "need" if (message.text or "").startswith("/need") else "offer"
    context.user_data[_DRAFT] = drafts.for_steps(kind)
    await reply(update, texts.STEPS_START[kind])
    return await _advance(update, context)


async def typed(update: Update, context: FarmContext) -> str | int | None:
    """Text while drafting: the answer to the question asked, or a new post after the card."""
    draft = _draft(context)
    if draft is None or draft["asking"] is None:
        return await line_posted(update, context)
    assert update.effective_message is not None
    field = draft["asking"]
    problem = drafts.answer_text(draft, field, typed_text(update), _today(context))
    if problem is not None:
        await reply(update, problem, _question_keyboard(context, draft, field))
        return None
    return await _advance(update, context)


async def pressed(update: Update, context: FarmContext) -> str | int | None:
    """A button of the draft: an answer, or 确认发布 / 修改 / 取消 on the card."""
    query = update.callback_query
    assert query is not None
    matched = callbacks.POSTING_PATTERN.match(query.data or "")
    draft = _draft(context)
    if matched is None or draft is None:
        await stale_press(update, context, "posting button without a draft")
        return ConversationHandler.END if draft is None else None
    step, value = matched.group(1), matched.group(2)
    if step in ("ok", "edit", "cancel"):
        if value != draft["token"]:
            await stale_press(update, context, "card button of another draft")
            return None
        return await _card_pressed(update, context, step, draft)
    if not _take_answer(context, draft, step, value):
        await refuse_press(update, context, f"bad posting answer {step}")
        return None
    await answer(query)
    return await _advance(update, context)


def _take_answer(context: FarmContext, draft: dict[str, Any], step: str, value: str) -> bool:
    """Apply a pressed answer; False when the value is not one the bot offers."""
    gazetteer = get_gazetteer()
    if step == "field" and value in drafts.EDITABLE:
        drafts.reopen(draft, value)
        return True
    if step == "kind" and value in ("offer", "need"):
        drafts.set_kind(draft, value)  # type: ignore[arg-type]
        return True
    if step == "cat":
        return drafts.set_category(draft, value)
    if step == "prod":
        return drafts.set_product(draft, value)
    if step == "price" and value == "none":
        drafts.set_negotiable(draft)
        return True
    if step == "mine" and context.account is not None:
        drafts.set_place(draft, context.account.place)
        return True
    if step == "county" and value in gazetteer.county_names():
        draft["county_pick"] = value
        return True
    county = draft["county_pick"]
    if step == "town" and county and (value == "" or value in gazetteer.townships(county)):
        drafts.set_place(draft, Place(city=CITY_NAME, county=county, township=value or None))
        return True
    candidates = drafts.candidates_of(draft)
    if step == "cand" and value.isdigit() and int(value) < len(candidates):
        drafts.set_place(draft, candidates[int(value)])
        return True
    if step == "days" and value.isdigit() and int(value) in drafts.VALID_DAY_CHOICES:
        return drafts.set_valid_days(draft, int(value))
    return False


async def _card_pressed(
    update: Update, context: FarmContext, step: str, draft: dict[str, Any]
) -> str | int | None:
    query = update.callback_query
    assert query is not None and context.user_data is not None
    if step == "edit":
        await answer(query)
        draft["asking"] = None
        await reply(update, texts.WHICH_FIELD, keyboards.grid(
            [(texts.FIELD_LABELS[f], callbacks.posting("field", f)) for f in drafts.EDITABLE]
        ))
        return None
    if step == "cancel":
        await answer(query)
        context.user_data.pop(_DRAFT, None)
        await edit(query, texts.CANCELLED)
        return ConversationHandler.END
    return await _publish(update, context, draft)


async def _publish(update: Update, context: FarmContext, draft: dict[str, Any]) -> int | None:
    """确认发布: commit, then show the card as published and the best matches."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    account = await trader(update, context)
    if account is None or drafts.missing(draft) is not None:
        await answer(query, common_texts.STALE_BUTTON)
        return None
    services = context.services
    today = _today(context)
    new = drafts.to_new_listing(draft, account.telegram_id, today,
                                services.settings.timezone)
    # The draft's key makes this a no-op returning the same listing when the draft was
    # published already (a crash came after the commit, before the cleared draft was saved).
    published = await publish_listing(services.db, services.index, new,
                                      wake=services.wake_outbox)
    context.user_data.pop(_DRAFT, None)
    text = match_texts.published(published.listing.id, match_lines(published.matches))
    markup = keyboards.numbered_interest([v.match.id for v in published.matches])
    try:
        await answer(query)
        # The card itself becomes the receipt, matches and buttons included: one call to
        # Telegram instead of an edit and a new message.
        await edit(query, f"{texts.published_card(_card(draft, today))}\n\n{text}", markup)
    except Forbidden:
        raise  # the user blocked the bot: the error handler marks them inactive
    except TelegramError as error:
        # Telegram did not take the reply even after the retries (429s, timeouts). The
        # listing is published, so the user must hear that, not that it failed.
        log.warning("reply to 确认 of listing %s failed (%s); sent through the outbox",
                    published.listing.id, error)
        await enqueue(services.db, [OutgoingMessage(
            key=f"published:{published.listing.id}", chat_id=account.telegram_id,
            kind="published", payload=html_message(text, markup),
        )])
        services.wake_outbox()
    return ConversationHandler.END


async def _advance(update: Update, context: FarmContext) -> str:
    """Ask the first missing field, or show the card when nothing is missing."""
    draft = _draft(context)
    assert draft is not None
    field = drafts.missing(draft)
    draft["asking"] = field
    if field is None:
        await reply(update, _card(draft, _today(context)), keyboards.confirm_card(draft["token"]))
        return DRAFTING
    question = texts.ASK[field]
    if field == "place" and draft["place_candidates"]:
        question = texts.PLACE_AMBIGUOUS
    elif field == "place" and draft["county_pick"]:
        question = texts.ASK_TOWNSHIP.format(county=draft["county_pick"])
    await reply(update, question, _question_keyboard(context, draft, field))
    return DRAFTING


def _question_keyboard(
    context: FarmContext, draft: dict[str, Any], field: str
) -> InlineKeyboardMarkup | None:
    """Buttons for a question whose answers are few; None where the answer is typed."""
    data = callbacks.posting
    if field == "kind":
        return keyboards.grid([(label, data("kind", k)) for k, label in texts.KIND_BUTTONS.items()])
    if field == "category":
        return keyboards.grid([(c, data("cat", c)) for c in CATEGORIES], 4)
    if field == "product":
        names = [p.name for p in get_catalogue().products if p.category == draft["category"]]
        return keyboards.grid([(n, data("prod", n)) for n in names[:PRODUCT_BUTTONS]])
    if field == "price":
        return keyboards.grid([(texts.NEGOTIABLE, data("price", "none"))])
    if field == "place":
        if draft["place_candidates"]:
            return keyboards.places(data, [p.label() for p in drafts.candidates_of(draft)])
        if draft["county_pick"]:
            return keyboards.townships(data, draft["county_pick"], texts.WHOLE_COUNTY)
        account = context.account
        mine = [(texts.MY_PLACE.format(place=account.place.label() or CITY_NAME),
                 data("mine", ""))] if account else []
        return keyboards.counties(data, mine)
    if field == "validity":
        default = valid_days_for(draft["product"]) if draft["product"] else None
        return keyboards.grid([
            ((texts.DEFAULT_DAYS if d == default else texts.DAYS).format(days=d), data("days", d))
            for d in drafts.VALID_DAY_CHOICES
        ], 4)
    return None


def _card(draft: dict[str, Any], today: date) -> str:
    place = drafts.place_of(draft)
    return texts.card(
        kind=draft["kind"], product=draft["product"], category=draft["category"],
        quantity=fmt.quantity(draft["quantity"], draft["unit"], draft["quantity_as_written"],
                              draft["unit_as_written"]),
        price=fmt.price(draft["price"], draft["price_unit"], draft["price_bound"]),
        place=place.label() if place else "", until=drafts.last_day(draft, today), today=today,
    )


def conversation() -> ConversationHandler:
    """Posting, persisted; the draft itself lives in user_data."""
    text = filters.TEXT & ~filters.COMMAND
    steps = [CommandHandler("offer", steps_started), CommandHandler("need", steps_started)]
    return ConversationHandler(
        entry_points=[*steps, MessageHandler(text, line_posted)],
        states={DRAFTING: [CallbackQueryHandler(pressed, pattern=r"^post:"),
                           MessageHandler(text, typed)]},
        fallbacks=[CommandHandler("cancel", canceller(_DRAFT)), *steps],
        name="posting",
        persistent=True,
    )
