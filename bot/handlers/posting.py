"""Posting: one line ("出售大白菜5000斤，0.8元/斤") or step by step (/offer, /need).

Both fill a draft that waits in the chat's conversation and ask what is missing one
field at a time, with buttons where the answers are few; then a card shows what was
understood, with 确认发布, 修改 and 取消. The listing is committed before the bot says
已发布.

A post of its own typed while a draft waits (a supermarket sending its shopping
list line by line) starts a new draft; the unfinished one is held, never merged,
and offered back once the new one is published or cancelled (上一条还没发布：继续 /
放弃). Every card's buttons keep working while its draft is held.
"""

from __future__ import annotations

from typing import Any

from bot.handlers.common import refuse_press, stale_press, too_fast, trader
from bot.handlers.matches import match_lines
from bot.handlers.request import Request
from bot.handlers.routing import Flow, Step
from bot.matching.catalogue import CATEGORIES, get_catalogue
from bot.matching.chatter import chatter_kind
from bot.matching.drafts import valid_days_for
from bot.matching.model import CITY_NAME, ListingDraft, Place
from bot.matching.regions import get_gazetteer
from bot.services import actions, buttons, drafts, price_sanity
from bot.services.drafts import Posting
from bot.services.listings import listing_summary, open_listings_of, publish_listing
from bot.services.messages import Button, Message, Rows, grid
from bot.texts import common as common_texts
from bot.texts import listings as fmt
from bot.texts import matches as match_texts
from bot.texts import posting as texts

FLOW_NAME = "posting"
ASKING, CARD = "asking", "card"
# Product buttons offered per category; the rest can be typed.
PRODUCT_BUTTONS = 15
# Unfinished drafts kept while newer ones are posted; older ones beyond are dropped.
MAX_HELD = 5
# The card whose price was asked about against the day's monitored prices.
PRICE_ASKED = "price_asked"


# -- the drafts of the chat ---------------------------------------------------------------


def _current(req: Request) -> Posting | None:
    data = req.conversation.data
    if not req.conversation.in_flow(FLOW_NAME) or "posting" not in data:
        return None
    return Posting.from_dict(data["posting"])


def _held(req: Request) -> list[Posting]:
    if not req.conversation.in_flow(FLOW_NAME):
        return []
    return [Posting.from_dict(p) for p in req.conversation.data.get("held", [])]


def _store(req: Request, current: Posting | None, held: list[Posting]) -> None:
    """Write the chat's drafts back to its conversation (at the step ``current`` is at)."""
    held = held[-MAX_HELD:]
    if current is None and not held:
        req.conversation.end()
        return
    data: dict[str, Any] = {"held": [p.to_dict() for p in held]}
    if current is not None:
        data["posting"] = current.to_dict()
    step = CARD if current is None or current.asking is None else ASKING
    req.conversation.enter(FLOW_NAME, step, data)


def _begin(req: Request, posting: Posting) -> None:
    """Make ``posting`` the draft in progress, holding the one it interrupts."""
    held = _held(req)
    current = _current(req)
    if current is not None:
        held.append(current)
    _store(req, posting, held)


# -- ways in --------------------------------------------------------------------------------


async def line_posted(req: Request) -> None:
    """A one-line post from a signed-up user; small talk (你好, 谢谢) is answered instead."""
    text = req.text or ""
    if (chatter := chatter_kind(text)) is not None:
        _answer_chatter(req, chatter)
        return  # no draft: a card already shown stays as it is
    account = trader(req)
    if account is None:
        return
    if too_fast(req):
        req.say(common_texts.SLOW_DOWN)
        return
    posting, refused = drafts.from_post(text, account, req.today)
    if posting is None and (product := drafts.sold_out_product(text, account, req.today)):
        await _offer_closing(req, account.telegram_id, product)
        return
    if refused:
        req.say("\n".join(refused))
    if posting is None:
        return  # refused as a whole: whatever was in progress stays as it was
    _begin(req, posting)
    _advance(req, posting)


async def _offer_closing(req: Request, user_id: int, product: str) -> None:
    """A sold-out notice: offer to close the poster's open listings of that product (the
    buttons are /mine's 已成交, checked there like any press)."""
    own = [x for x in await open_listings_of(req.uow, user_id) if x.product == product]
    if not own:
        req.say(texts.SOLD_OUT_NONE.format(product=product))
        return
    req.say(texts.SOLD_OUT_OPEN.format(count=len(own), product=product))
    for listing in own:
        req.say(Message(listing_summary(listing), buttons.sold_out(listing.id)))


def _answer_chatter(req: Request, kind: str) -> None:
    """Greet back with one line on what to do: post, sign up, or press the card's button."""
    account = req.account
    role = account.role if account is not None and account.status == "active" else None
    current = _current(req)
    req.say(texts.chatter_reply(kind, role, current is not None and current.asking is None))


async def steps_started(req: Request) -> None:
    """/offer or /need: walk through every field."""
    if trader(req) is None:
        return
    kind = "need" if req.command == "need" else "offer"
    posting = drafts.for_steps(kind)
    _begin(req, posting)
    req.say(texts.STEPS_START[kind])
    _advance(req, posting)


async def answer_typed(req: Request) -> None:
    """Text while a question waits: the answer, or a post of its own (a new draft)."""
    current = _current(req)
    text = req.text or ""
    if current is None or current.asking is None:
        await line_posted(req)
        return
    product = drafts.post_product(text, req.today)
    if product is not None and current.draft.product not in (None, product):
        await line_posted(req)  # a post of its own: this draft is held, not merged
        return
    field = current.asking
    problem = drafts.answer_text(current, field, text, req.today)
    if problem is not None:
        req.say(Message(problem, _question_buttons(req, current, field)))
        _store(req, current, _held(req))
        return
    _advance(req, current)


# -- buttons --------------------------------------------------------------------------------


async def pressed(req: Request) -> None:
    """A button of a draft: an answer, 确认发布 / 修改 / 取消 on a card, or 继续 / 放弃 on a
    held draft. Card buttons name their draft, which may be held."""
    assert req.press is not None
    matched = actions.POSTING_PATTERN.match(req.press.action)
    current = _current(req)
    if matched is None:
        await refuse_press(req, "bad posting button")
        return
    step, value = matched.group(1), matched.group(2)
    if step in ("ok", "edit", "cancel", "resume", "drop"):
        await _named_pressed(req, step, value)
        return
    if step in ("pick", "rm"):
        await _product_pressed(req, step, value)
        return
    if current is None:
        await stale_press(req, "posting button without a draft")
        return
    if _ANSWERS.get(step, current.asking) != current.asking:
        await stale_press(req, "answer to a question not asked")
        return
    if not _take_answer(req, current, step, value):
        await refuse_press(req, f"bad posting answer {step}")
        return
    _store(req, current, _held(req))
    _advance(req, current)


# The question each answer button belongs to; 修改's field buttons work whatever is asked.
_ANSWERS = {"kind": "kind", "cat": "category", "prod": "product", "price": "price",
            "mine": "place", "county": "place", "town": "place", "cand": "place",
            "days": "validity"}


def _take_answer(req: Request, posting: Posting, step: str, value: str) -> bool:
    """Apply a pressed answer; False when the value is not one the bot offers."""
    gazetteer = get_gazetteer()
    if step == "field" and value in drafts.EDITABLE:
        drafts.reopen(posting, value)
        return True
    if step == "kind" and value in ("offer", "need"):
        drafts.set_kind(posting, value)  # type: ignore[arg-type]
        return True
    if step == "cat":
        return drafts.set_category(posting, value)
    if step == "prod":
        return drafts.set_product(posting, value, req.today)
    if step == "price" and value == "none":
        drafts.set_negotiable(posting)
        return True
    if step == "mine" and req.account is not None:
        drafts.set_place(posting, req.account.place)
        return True
    if step == "county" and value in gazetteer.county_names():
        posting.county_pick = value
        return True
    county = posting.county_pick
    if step == "town" and county and (value == "" or value in gazetteer.townships(county)):
        drafts.set_place(posting, Place(city=CITY_NAME, county=county, township=value or None))
        return True
    candidates = posting.draft.place_candidates
    if step == "cand" and value.isdigit() and int(value) < len(candidates):
        drafts.set_place(posting, candidates[int(value)])
        return True
    if step == "days" and value.isdigit() and int(value) in drafts.VALID_DAY_CHOICES:
        return drafts.set_valid_days(posting, int(value), req.today)
    return False


async def _named_pressed(req: Request, step: str, token: str) -> None:
    """A button that names its draft by token: the one in progress or a held one. Acting on
    a held draft leaves the one in progress where it is."""
    current = _current(req)
    held = _held(req)
    named = next((p for p in [current, *held] if p is not None and p.token == token), None)
    if named is None:
        await stale_press(req, "card button of another draft")
        return
    rest = [p for p in held if p is not named]
    kept = None if named is current else current
    if step in ("edit", "resume"):
        if step == "edit":
            named.asking = None
        # The named draft is the one in progress now; the one it interrupts is held.
        _store(req, named, rest + ([kept] if kept else []))
        if step == "edit":
            req.say(Message(texts.WHICH_FIELD, grid([
                Button(texts.FIELD_LABELS[f], actions.posting("field", f))
                for f in drafts.EDITABLE
            ])))
        else:
            _advance(req, named)
        return
    if step == "ok":
        if not await _publish(req, named):
            return
    else:
        req.replies.edit(texts.CANCELLED if step == "cancel" else texts.HELD_DROPPED)
    if kept is not None:
        _store(req, kept, rest)
    else:
        _finish(req, rest)


async def _product_pressed(req: Request, step: str, value: str) -> None:
    """改第n条 / 删第n条 on a card of several products: fix one (it becomes the draft in
    progress, the question which field) or take it off the card (the card is shown again)."""
    token, _, number = value.partition(".")
    current = _current(req)
    if current is None or current.token != token or current.asking is not None:
        await stale_press(req, "product button of another card")
        return
    n = int(number) - 1 if number.isdigit() else -1
    if step == "pick":
        if not current.focus(n):
            await refuse_press(req, "bad product number")
            return
        _store(req, current, _held(req))
        req.say(Message(
            texts.WHICH_FIELD_OF.format(n=n + 1, product=current.draft.product or ""),
            grid([Button(texts.FIELD_LABELS[f], actions.posting("field", f))
                  for f in drafts.EDITABLE]),
        ))
        return
    if not current.remove(n):
        await refuse_press(req, "bad product number")
        return
    _store(req, current, _held(req))
    req.replies.edit(Message(_card(req, current), _card_buttons(current)))


async def _publish(req: Request, posting: Posting) -> bool:
    """确认发布: store, match and notify in this update's unit of work, then turn the card
    into the receipt with the best matches. False when the draft cannot be published."""
    account = trader(req)
    if account is None or not drafts.complete(posting):
        req.replies.toast(common_texts.STALE_BUTTON)
        return False
    settings = req.services.settings
    if await _price_questioned(req, posting):
        return False
    listings = drafts.to_listings(posting, account.telegram_id, settings.timezone, req.now)
    texts_out: list[str] = []
    presses: list[str | None] = []
    # Every product in this update's one unit of work: all are published, or none. Each
    # draft's key makes this a no-op returning the same listing when it was published
    # already (an update delivered twice, a crash before the reply).
    for listing, product in zip(listings, posting.products(), strict=True):
        published = await publish_listing(
            req.uow, req.services.index, listing, today=req.today, publish_key=product.key,
            now=req.now, follow_cap=req.services.settings.follow_notices_per_day)
        lines = match_lines(published.matches, start=len(presses) + 1)
        head = f"{listing.product}：" if len(listings) > 1 else ""
        texts_out.append(head + match_texts.published(published.listing.id, lines))
        presses += [v.interest_action for v in published.matches]
    rows = buttons.numbered_interest(presses)
    # The card itself becomes the receipt, matches and buttons included: one call to
    # Telegram instead of an edit and a new message.
    body = "\n\n".join(texts_out)
    req.replies.edit(Message(f"{texts.published_card(_card(req, posting))}\n\n{body}", rows))
    return True


async def _price_questioned(req: Request, posting: Posting) -> bool:
    """An offer priced far above the day's monitored average, or at twice or half of it
    (斤 or 公斤?), is asked about once on the card; the next 确认发布 publishes it."""
    flags = await price_sanity.flag_offers(
        req.uow, req.today,
        [(p.draft.kind or "", p.draft.product, p.draft.price, p.draft.price_unit)
         for p in posting.products()], req.services.settings.price_sanity_ratio)
    if not any(flags) or req.conversation.data.get(PRICE_ASKED) == posting.token:
        return False
    req.conversation.data[PRICE_ASKED] = posting.token
    notes = "\n".join(price_sanity.flag_text(f) for f in flags if f is not None)
    req.replies.edit(Message(f"{_card(req, posting)}\n\n{notes}", _card_buttons(posting)))
    return True


def _finish(req: Request, held: list[Posting]) -> None:
    """The draft in progress is done (published or cancelled): offer the latest held one."""
    if not held:
        _store(req, None, [])
        return
    back = held[-1]
    _store(req, None, held)
    req.say(Message(texts.held_back(back.draft.product), grid([
        Button(texts.RESUME, actions.posting("resume", back.token)),
        Button(texts.DROP, actions.posting("drop", back.token)),
    ], 2)))


# -- questions and the card -------------------------------------------------------------------


def _advance(req: Request, posting: Posting) -> None:
    """Ask the first missing field, or show the card when nothing is missing."""
    drafts.share_common(posting)
    field = drafts.next_missing(posting)
    posting.asking = field
    _store(req, posting, _held(req))
    if field is None:
        req.say(Message(_card(req, posting), _card_buttons(posting)))
        return
    question = texts.ASK[field]
    if field == "place" and posting.draft.place_candidates:
        question = texts.PLACE_AMBIGUOUS
    elif field == "place" and posting.county_pick:
        question = texts.ASK_TOWNSHIP.format(county=posting.county_pick)
    req.say(Message(question, _question_buttons(req, posting, field)))


def _question_buttons(req: Request, posting: Posting, field: str) -> Rows:
    """Buttons for a question whose answers are few; none where the answer is typed."""
    action = actions.posting
    if field == "kind":
        return grid([Button(label, action("kind", k)) for k, label in texts.KIND_BUTTONS.items()])
    if field == "category":
        return grid([Button(c, action("cat", c)) for c in CATEGORIES], 4)
    if field == "product":
        names = [p.name for p in get_catalogue().products
                 if p.category == posting.draft.category]
        return grid([Button(n, action("prod", n)) for n in names[:PRODUCT_BUTTONS]])
    if field == "price":
        return grid([Button(texts.NEGOTIABLE, action("price", "none"))])
    if field == "place":
        if posting.draft.place_candidates:
            return buttons.places(action, [p.label() for p in posting.draft.place_candidates])
        if posting.county_pick:
            return buttons.townships(action, posting.county_pick, texts.WHOLE_COUNTY)
        account = req.account
        mine = [Button(texts.MY_PLACE.format(place=account.place.label() or CITY_NAME),
                       action("mine", ""))] if account else []
        return buttons.counties(action, mine)
    if field == "validity":
        default = valid_days_for(posting.draft.product)
        return grid([
            Button((texts.DEFAULT_DAYS if d == default else texts.DAYS).format(days=d),
                   action("days", d))
            for d in drafts.VALID_DAY_CHOICES
        ], 4)
    return ()


def _card_buttons(posting: Posting) -> Rows:
    count = len(posting.others) + 1
    return buttons.multi_card(posting.token, count) if count > 1 else buttons.confirm_card(
        posting.token)


def _card(req: Request, posting: Posting) -> str:
    draft = posting.draft
    assert draft.kind is not None and draft.product is not None
    if posting.others:
        return texts.multi_card(
            kind=draft.kind,
            items=[(p.draft.product or "", p.draft.category, _quantity(p.draft),
                    fmt.price(p.draft.price, p.draft.price_unit, p.draft.price_bound))
                   for p in posting.products()],
            place=draft.place.label() if drafts.has_place(draft) else "",
            until=draft.valid_until, today=req.today,
        )
    return texts.card(
        kind=draft.kind, product=draft.product, category=draft.category,
        quantity=_quantity(draft),
        price=fmt.price(draft.price, draft.price_unit, draft.price_bound),
        place=draft.place.label() if drafts.has_place(draft) else "",
        until=draft.valid_until, today=req.today,
    )


def _quantity(draft: ListingDraft) -> str:
    return fmt.quantity(draft.quantity, draft.unit, draft.quantity_as_written,
                        draft.unit_as_written)


FLOW = Flow(
    name=FLOW_NAME,
    # At the card, text is a new post (the routes' text handler).
    steps={ASKING: Step(text=answer_typed), CARD: Step()},
    namespace="post",
    press=pressed,
)
