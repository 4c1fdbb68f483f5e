"""The store survey in the bot: a manager's daily report (/report), and the card of a need
the survey drafted (发布 / 改数量 / 不需要)."""

from __future__ import annotations

from dataclasses import asdict

from bot.handlers.common import member, refuse_press
from bot.handlers.request import Request
from bot.handlers.routing import Flow, Step
from bot.matching.stock import URGENT_STATUSES
from bot.matching.survey import ReportedItem, SurveyReport, parse_report, read_amount
from bot.services import actions
from bot.services import survey_needs as needs
from bot.services.digest_text import amount
from bot.services.messages import Button, Message, grid
from bot.services.survey import record_report
from bot.texts import survey as texts
from bot.texts.html import esc
from storage.survey import Store

REPORT_FLOW = "survey_report"
QUANTITY_FLOW = "survey_quantity"
LINE, WALK, VALUE = "line", "walk", "value"
STORE_NAMESPACE = "svy"


async def report_command(req: Request) -> None:
    """/report: the store's report of today; which store first when the caller manages
    several. A report typed after the command is taken at once."""
    account = member(req)
    if account is None:
        return
    managed = await req.uow.survey.stores_managed_by(account.telegram_id)
    if not managed:
        req.say(texts.NOT_A_MANAGER)
        return
    if len(managed) > 1 and not req.args:
        req.conversation.enter(REPORT_FLOW, LINE, {})
        req.say(Message(texts.WHICH_STORE, grid(
            [Button(s.label, f"{STORE_NAMESPACE}:store:{s.id}") for s in managed], 1)))
        return
    store = managed[0]
    if req.args:
        await _take_report(req, store, " ".join(req.args))
        return
    req.conversation.enter(REPORT_FLOW, LINE, {"store": store.id})
    req.say(_ask_report(store))


def _ask_report(store: Store) -> Message:
    return Message(texts.ASK_REPORT.format(store=esc(store.label), items=_items_hint()),
                   ((Button(texts.WALK, f"{STORE_NAMESPACE}:walk"),),))


def _items_hint() -> str:
    from bot.matching.survey import get_survey_items

    return "、".join(get_survey_items().products)


async def report_pressed(req: Request) -> None:
    """The buttons of /report: which store, 逐项填写, and in the item form 同昨天 / 跳过."""
    assert req.press is not None
    action = req.press.action
    account = req.account
    if action.startswith(f"{STORE_NAMESPACE}:store:"):
        value = action.removeprefix(f"{STORE_NAMESPACE}:store:")
        managed = {s.id: s for s in await req.uow.survey.stores_managed_by(
            account.telegram_id)} if account else {}
        if not value.isdigit() or int(value) not in managed:
            await refuse_press(req, "report for a store the caller does not manage")
            return
        store = managed[int(value)]
        req.conversation.enter(REPORT_FLOW, LINE, {"store": store.id})
        req.replies.edit(_ask_report(store))
        return
    store = await _store_of_flow(req)
    if store is None:
        await refuse_press(req, "item form of a store the caller does not manage")
        return
    data = req.conversation.data
    if action == f"{STORE_NAMESPACE}:walk":
        data.update(walk=0, items=[])
        req.conversation.goto(WALK)
        await _ask_item(req, store)
        return
    index = data.get("walk")
    products = _walk_products()
    if action not in (f"{STORE_NAMESPACE}:same", f"{STORE_NAMESPACE}:skip") or \
            not isinstance(index, int) or not 0 <= index < len(products):
        await refuse_press(req, "bad item form data")
        return
    if action == f"{STORE_NAMESPACE}:same":
        last = (await req.uow.survey.latest_items(store.id, req.today)).get(products[index])
        if last is None:
            req.replies.toast(texts.WALK_NO_YESTERDAY)
            return
        f = last.figures
        data["items"].append(asdict(ReportedItem(
            products[index], f.stock, f.stock_unit, f.sales, f.sales_unit,
            last.sales_basis if last.sales_basis in ("daily_average", "today") else None)))
    await _next_item(req, store)


def _walk_products() -> tuple[str, ...]:
    from bot.matching.survey import get_survey_items

    return get_survey_items().products


async def _store_of_flow(req: Request) -> Store | None:
    """The store of the report in progress, if the caller manages it."""
    account, store_id = req.account, req.conversation.data.get("store")
    if account is None or not isinstance(store_id, int):
        return None
    managed = {s.id: s for s in await req.uow.survey.stores_managed_by(account.telegram_id)}
    return managed.get(store_id)


async def _ask_item(req: Request, store: Store) -> None:
    products = _walk_products()
    index = req.conversation.data["walk"]
    product = products[index]
    last = (await req.uow.survey.latest_items(store.id, req.today)).get(product)
    before = texts.WALK_NONE if last is None else texts.WALK_LAST.format(
        stock=amount(last.figures.stock, last.figures.stock_unit),
        sales="—" if last.figures.sales is None
        else amount(last.figures.sales, last.figures.sales_unit or ""))
    buttons = [Button(texts.SAME_AS_YESTERDAY, f"{STORE_NAMESPACE}:same")] if last else []
    buttons.append(Button(texts.SKIP, f"{STORE_NAMESPACE}:skip"))
    req.say(Message(texts.WALK_ITEM.format(n=index + 1, total=len(products),
                                           product=esc(product), before=before),
                    (tuple(buttons),)))


async def _next_item(req: Request, store: Store) -> None:
    """On to the next item, or the report done when that was the last."""
    data = req.conversation.data
    data["walk"] += 1
    if data["walk"] < len(_walk_products()):
        await _ask_item(req, store)
        return
    items = [ReportedItem(**i) for i in data.get("items", [])]
    if not items:
        req.conversation.end()
        req.say(texts.WALK_EMPTY)
        return
    account = req.account
    assert account is not None
    await req.uow.survey.save_report(store.id, req.today, items, account.telegram_id, req.now)
    await _report_taken(req, store, SurveyReport(items=items))


async def item_typed(req: Request) -> None:
    """One item's figures in the item form (20吨 日销2吨)."""
    store = await _store_of_flow(req)
    data = req.conversation.data
    products = _walk_products()
    index = data.get("walk")
    if store is None or not isinstance(index, int) or not 0 <= index < len(products):
        req.conversation.end()
        req.say(texts.NOT_A_MANAGER)
        return
    product = products[index]
    report = parse_report(f"{product} {req.text or ''}")
    item = next((i for i in report.items if i.product == product), None)
    if item is None or report.errors:
        req.say(texts.REPORT_REFUSED.format(errors="\n".join(
            esc(e) for e in report.errors or [texts.WALK_NOT_UNDERSTOOD])))
        return
    data["items"].append(asdict(item))
    await _next_item(req, store)


async def report_typed(req: Request) -> None:
    """The report line, for the store chosen."""
    account = req.account
    store_id = req.conversation.data.get("store")
    store = None
    if account is not None and isinstance(store_id, int):
        managed = {s.id: s for s in await req.uow.survey.stores_managed_by(account.telegram_id)}
        store = managed.get(store_id)
    if store is None:
        req.conversation.end()
        req.say(texts.NOT_A_MANAGER)
        return
    await _take_report(req, store, req.text or "")


async def _take_report(req: Request, store: Store, text: str) -> None:
    account = req.account
    assert account is not None
    report = await record_report(req.uow, store, req.today, text, account.telegram_id, req.now)
    if not report.items:
        req.say(texts.REPORT_REFUSED.format(errors="\n".join(esc(e) for e in report.errors)))
        return  # still waiting for a report that can be read
    await _report_taken(req, store, report)


async def _report_taken(req: Request, store: Store, report: SurveyReport) -> None:
    """The report is stored: the needs it sets going, and the answer item by item."""
    req.conversation.end()
    result = await needs.after_report(req.uow, store, req.today, req.now)
    lines = [texts.REPORT_SAVED.format(store=esc(store.label), day=req.today.isoformat())]
    for row in result.rows:
        if row.stock.product not in {i.product for i in report.items}:
            continue
        days = row.stock.days_of_stock
        lines.append(texts.REPORT_LINE.format(
            product=esc(row.stock.product), stock=amount(row.stock.stock, row.stock.stock_unit),
            days="—" if days is None else f"{days:.1f}", status=row.stock.status,
            mark="⚠️" if row.stock.status in URGENT_STATUSES else ""))
    if report.unknown:
        lines.append(texts.REPORT_UNKNOWN.format(names="、".join(esc(n) for n in report.unknown)))
    if report.errors:
        lines.append(texts.REPORT_ERRORS.format(errors="\n".join(esc(e) for e in report.errors)))
    if result.drafted:
        lines.append(texts.REPORT_DRAFTED.format(count=len(result.drafted)))
    req.say("\n".join(lines))


async def need_pressed(req: Request) -> None:
    """发布, 改数量 or 不需要 on a drafted need: only the store's managers act."""
    assert req.press is not None
    matched = actions.SURVEY_NEED_PATTERN.match(req.press.action)
    account = req.account
    if matched is None or account is None or account.status != "active":
        await refuse_press(req, "survey need action from a non-member or bad data")
        return
    action, need_id = matched.group(1), int(matched.group(2))
    found = await needs.need_of_manager(req.uow, need_id, account.telegram_id)
    if found == "not_yours":
        await refuse_press(req, "survey need of a store the caller does not manage")
        return
    if isinstance(found, str) or found[0].status != "draft":
        req.replies.toast(texts.NEED_GONE)
        return
    need, store = found
    if action == "pub":
        published = await needs.publish_need(
            req.uow, req.services.index, need, store, account.telegram_id, today=req.today,
            tz=req.services.settings.timezone, now=req.now)
        if published is None:
            req.replies.toast(texts.NEED_GONE)
            return
        req.replies.edit(texts.PUBLISHED.format(
            product=esc(need.product), amount=amount(need.quantity, need.unit),
            id=published.listing.id))
    elif action == "qty":
        req.conversation.enter(QUANTITY_FLOW, VALUE, {"need": need.id})
        req.say(texts.ASK_QUANTITY.format(unit=_unit(need.unit)))
    else:
        await needs.decline_need(req.uow, need, req.now)
        req.replies.edit(texts.DECLINED)


def _unit(unit: str) -> str:
    return "公斤（或斤、吨）" if unit == "kg" else unit


async def quantity_typed(req: Request) -> None:
    """改数量: the new quantity of the draft, in its unit; the card again with it."""
    account = req.account
    need_id = req.conversation.data.get("need")
    found = (await needs.need_of_manager(req.uow, need_id, account.telegram_id)
             if account is not None and isinstance(need_id, int) else "gone")
    if isinstance(found, str) or found[0].status != "draft":
        req.conversation.end()
        req.say(texts.NEED_GONE)
        return
    need, store = found
    read = read_amount(req.text or "")
    if read is None or read[1] != need.unit:
        req.say(texts.QUANTITY_NOT_UNDERSTOOD.format(unit=_unit(need.unit)))
        return
    changed = await needs.change_quantity(req.uow, need, read[0], req.now)
    req.conversation.end()
    if changed is None:
        req.say(texts.NEED_GONE)
        return
    req.say(needs.card(changed, store, None))


REPORT = Flow(name=REPORT_FLOW, steps={LINE: Step(text=report_typed),
                                       WALK: Step(text=item_typed)},
              namespace=STORE_NAMESPACE, press=report_pressed)
QUANTITY = Flow(name=QUANTITY_FLOW, steps={VALUE: Step(text=quantity_typed)})
