"""/ticket and /tickets: the supply hotline (保供服务热线) in the bot.

A citizen, a store or a supplier files a ticket in one line (``/ticket 缺货 小区买不到面粉
宝丰县张八桥镇``) or answers a short form (caller, for a hotline operator; category; what;
where). Officials act on a ticket with the buttons under its card (接单, 开始办理, 答复,
转为求购信息, 办结); the filer rates a closed ticket (满意, 不满意). Every press is checked
again on the server: the ticket's state, the presser's role and area; a press they may not
make is refused and audited.
"""

from __future__ import annotations

from bot.handlers.common import member, refuse_press, stale_press
from bot.handlers.request import Request
from bot.handlers.routing import Flow, Step
from bot.matching import tickets as rules
from bot.matching.model import CITY_NAME, Place
from bot.matching.parser import parse_post
from bot.matching.phones import find_phone
from bot.matching.regions import get_gazetteer
from bot.matching.text import normalize
from bot.services import actions
from bot.services import tickets as service
from bot.services.messages import Button, Message, grid
from bot.services.ticket_prices import monitored_prices
from bot.services.tickets import TicketRefused
from bot.texts import tickets as texts
from storage.records import Ticket, User

FORM = "ticket"
CALLER, CATEGORY, WHAT, WHERE = "caller", "category", "what", "where"
ANSWER_FLOW, ANSWER = "ticket_answer", "answer"
MAX_CALLER = 30
SHOWN = 10


def _form(req: Request) -> dict[str, object]:
    return req.conversation.data


async def ticket_command(req: Request) -> None:
    """/ticket [one line]: file a ticket, asking only for what the line leaves out."""
    account = member(req)
    if account is None:
        return
    if account.role not in service.FILER_ROLES:
        req.say(texts.FILERS_ONLY)
        return
    line = " ".join(req.args).strip()
    form: dict[str, object] = {}
    if line:
        if len(line) > service.MAX_WHAT:
            req.say(texts.WHAT_TOO_LONG.format(limit=service.MAX_WHAT))
            return
        category, rest = rules.get_ticket_policy().category_in(line)
        if category is not None:
            form["category"] = category
        if rest:
            form["what"] = rest
        place = _place_in(line)
        if place is not None:
            form["place"] = [place.county, place.township]
    req.conversation.enter(FORM, CATEGORY, form)
    await _next(req, account)


def _place_in(text: str) -> Place | None:
    """The one place of the city a text names, if it names exactly one."""
    draft = parse_post(text)
    if draft.place.county and draft.place.in_city and not draft.place_candidates:
        return Place(city=CITY_NAME, county=draft.place.county, township=draft.place.township)
    return None


async def _next(req: Request, account: User) -> None:
    """Ask the first thing the form still lacks, or file the ticket."""
    form = _form(req)
    if account.role == "hotline" and "caller" not in form:
        req.conversation.goto(CALLER)
        req.say(texts.ASK_CALLER)
        return
    if "category" not in form:
        req.conversation.goto(CATEGORY)
        req.say(Message(texts.ASK_CATEGORY, grid(
            [Button(c, actions.ticket_form("cat", i)) for i, c in enumerate(rules.CATEGORIES)],
            3)))
        return
    if "what" not in form:
        req.conversation.goto(WHAT)
        req.say(texts.ASK_WHAT)
        return
    if "place" not in form:
        req.conversation.goto(WHERE)
        own = account.place
        mine = ([Button(texts.USE_MY_PLACE.format(place=own.label()),
                        actions.ticket_form("mine"))]
                if own.county and account.role != "hotline" else [])
        req.say(Message(texts.ASK_WHERE, grid(mine, 1)))
        return
    await _file(req, account)


async def _file(req: Request, account: User) -> None:
    form = _form(req)
    county, township = form["place"]  # type: ignore[misc]
    caller = form.get("caller") or ["", None]
    tz = req.services.settings.timezone
    ticket = await service.file_ticket(
        req.uow, filer=account, category=str(form["category"]), what=str(form["what"]),
        place=Place(city=CITY_NAME, county=county, township=township), tz=tz, now=req.now,
        caller_name=str(caller[0]), caller_phone=caller[1],  # type: ignore[index]
    )
    req.conversation.end()
    req.say(texts.filed(ticket.number, ticket.owner_area.label,
                        texts.when(ticket.deadline_at, tz)))


async def caller_typed(req: Request) -> None:
    """The caller's name and phone, typed by the hotline operator in one line."""
    text = normalize((req.text or "").strip())
    mention = find_phone(text)
    if mention is None:
        req.say(texts.CALLER_NO_PHONE)
        return
    name = (text[:mention.start] + text[mention.end:]).strip(" ,，:：")[:MAX_CALLER]
    _form(req)["caller"] = [name, mention.number]
    await _continue(req)


async def what_typed(req: Request) -> None:
    what = (req.text or "").strip()
    if not what:
        req.say(texts.WHAT_EMPTY)
        return
    if len(what) > service.MAX_WHAT:
        req.say(texts.WHAT_TOO_LONG.format(limit=service.MAX_WHAT))
        return
    form = _form(req)
    form["what"] = what
    if "place" not in form and (place := _place_in(what)) is not None:
        form["place"] = [place.county, place.township]
    await _continue(req)


async def where_typed(req: Request) -> None:
    """A place typed: exactly one place of the city, or the question again."""
    text = (req.text or "").strip()
    places = [p for p in get_gazetteer().resolve(text) if p.in_city and p.county]
    if not places and (found := _place_in(text)) is not None:
        places = [found]
    if len(places) != 1:
        names = "、".join(p.label() for p in places[:5])
        req.say(texts.WHERE_AMBIGUOUS.format(names=names) if places else texts.WHERE_UNKNOWN)
        return
    _form(req)["place"] = [places[0].county, places[0].township]
    await _continue(req)


async def _continue(req: Request) -> None:
    account = member(req)
    if account is None:
        req.conversation.end()
        return
    await _next(req, account)


async def form_pressed(req: Request) -> None:
    """A button of the form: a category, or 就在我登记的地点; only at its own step."""
    assert req.press is not None
    matched = actions.TICKET_FORM_PATTERN.match(req.press.action)
    step = req.conversation.step
    account = req.account
    if matched is None or account is None:
        await refuse_press(req, "bad ticket form button")
        return
    press, value = matched.group(1), matched.group(2)
    if press == "cat" and step == CATEGORY:
        if not (value.isdigit() and int(value) < len(rules.CATEGORIES)):
            await refuse_press(req, "bad ticket category")
            return
        _form(req)["category"] = rules.CATEGORIES[int(value)]
    elif press == "mine" and step == WHERE and account.place.county:
        _form(req)["place"] = [account.place.county, account.place.township]
    else:
        await stale_press(req, "ticket form button of another step")
        return
    await _continue(req)


async def ticket_pressed(req: Request) -> None:
    """A button under a ticket's card: checked against the ticket as stored now."""
    assert req.press is not None
    matched = actions.TICKET_PATTERN.match(req.press.action)
    account = req.account
    if matched is None or account is None or account.status != "active":
        await refuse_press(req, "ticket action from a non-member or bad data")
        return
    action, ticket_id, index = matched.group(1), int(matched.group(2)), matched.group(3)
    settings = req.services.settings
    try:
        if action == "need":
            made = await service.to_need(req.uow, req.services.index, ticket_id, account,
                                         today=req.today, tz=settings.timezone, now=req.now)
            req.replies.edit(await _card(made.ticket, account, req))
            req.say(texts.need_published(made.ticket.number, made.published.listing.id,
                                         made.published.listing.product))
            return
        if action == "answer":
            await _ask_answer(req, ticket_id, account)
            return
        value = _value(action, index)
        changed = await service.act(req.uow, ticket_id, account, action, value,
                                    now=req.now, tz=settings.timezone)
    except TicketRefused as refused:
        await _refused(req, refused)
        return
    req.replies.edit(await _card(changed, account, req))


def _value(action: str, index: str | None) -> str:
    """The close reason or rating a button's index stands for ('' for a bad index, which
    the rules refuse)."""
    values = {"close": rules.CLOSE_REASONS, "rate": rules.RATINGS}.get(action, ())
    if index is None or not values:
        return ""
    return values[int(index)] if int(index) < len(values) else ""


async def _ask_answer(req: Request, ticket_id: int, account: User) -> None:
    ticket = await req.uow.tickets.get(ticket_id)
    if ticket is None:
        raise TicketRefused("gone")
    step = rules.move(service.facts(ticket), service.actor(account), "answer")
    if step.state is None:
        raise TicketRefused(step.refusal or "not_allowed")
    req.conversation.enter(ANSWER_FLOW, ANSWER, {"ticket": ticket_id})
    req.say(texts.ASK_ANSWER.format(number=ticket.number))


async def answer_typed(req: Request) -> None:
    """The answer to a ticket: the filer is told it; the card comes back with what is next."""
    ticket_id = int(req.conversation.data.get("ticket", 0))
    account = member(req)
    text = (req.text or "").strip()
    if account is None:
        req.conversation.end()
        return
    if not text:
        req.say(texts.WHAT_EMPTY)
        return
    req.conversation.end()
    try:
        changed = await service.act(req.uow, ticket_id, account, "answer", now=req.now,
                                    tz=req.services.settings.timezone, answer=text)
    except TicketRefused as refused:
        req.say(refused.text)
        return
    req.say(await _card(changed, account, req))


async def _refused(req: Request, refused: TicketRefused) -> None:
    """A forged or foreign press is refused and audited; a stale one is audited and told
    what happened to the ticket."""
    if refused.code in ("not_allowed", "bad_value"):
        await refuse_press(req, f"ticket: {refused.code}")
        return
    await stale_press(req, f"ticket: {refused.code}")
    req.replies.toast(refused.text)


async def _card(ticket: Ticket, viewer: User, req: Request) -> Message:
    tz = req.services.settings.timezone
    monitored = await monitored_prices(req.uow, ticket, req.today)
    return Message(service.render(ticket, viewer, tz, req.now, monitored=monitored),
                   service.buttons_for(ticket, viewer))


async def tickets_command(req: Request) -> None:
    """/tickets: an official's open tickets (overdue first), anyone else's own."""
    account = member(req)
    if account is None:
        return
    found = await service.tickets_for(req.uow, account, now=req.now)
    if not found:
        req.say(texts.NO_TICKETS)
        return
    req.say(texts.TICKETS_TITLE.format(count=len(found)))
    for ticket in found[-SHOWN:] if account.role not in ("official", "admin") else found[:SHOWN]:
        req.say(await _card(ticket, account, req))


FLOW = Flow(
    name=FORM,
    steps={
        CALLER: Step(text=caller_typed),
        CATEGORY: Step(),
        WHAT: Step(text=what_typed),
        WHERE: Step(text=where_typed),
    },
    namespace="tkf",
    press=form_pressed,
)
ANSWER_FORM = Flow(name=ANSWER_FLOW, steps={ANSWER: Step(text=answer_typed)})
