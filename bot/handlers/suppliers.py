"""Officials and the emergency supplier registry in the bot: /suppliers (their area's
suppliers, phones as their role and area allow), /addsupplier and ✏️ 编辑 (a one-message
form). Every step re-checks the caller's role and area."""

from __future__ import annotations

from bot.handlers.common import member, refuse_press
from bot.handlers.request import Request
from bot.handlers.routing import Flow, Step
from bot.matching.catalogue import get_catalogue
from bot.services import actions
from bot.services import suppliers as service
from bot.services.messages import Button, Message
from bot.texts import suppliers as texts
from bot.texts.html import esc
from storage.records import STAFF_ROLES, User

FORM_FLOW = "supplier_form"
FORM = "form"


def _official(req: Request) -> User | None:
    account = member(req)
    if account is None:
        return None
    if account.role not in STAFF_ROLES:
        req.say(texts.ONLY_OFFICIALS)
        return None
    return account


async def suppliers_command(req: Request) -> None:
    """/suppliers [产品]: the registry's suppliers of the caller's area."""
    account = _official(req)
    if account is None:
        return
    product = None
    if req.args:
        found = get_catalogue().lookup(" ".join(req.args))
        if found is None:
            req.say(texts.UNKNOWN_LIST_PRODUCT.format(product=esc(" ".join(req.args))))
            return
        product = found.name
    area = account.area
    found_suppliers = await req.uow.suppliers.search(area, product)
    named = texts.LIST_PRODUCT.format(product=esc(product)) if product else ""
    if not found_suppliers:
        req.say(texts.LIST_NONE.format(area=esc(area.label), product=named))
        return
    req.say(texts.LIST_HEAD.format(area=esc(area.label), count=len(found_suppliers),
                                   product=named))
    shown = found_suppliers[:service.LIST_SHOWN]
    capacities = await req.uow.suppliers.capacities([s.id for s in shown])
    for supplier in shown:
        req.say(Message(service.supplier_card(supplier, capacities.get(supplier.id, []),
                                              account),
                        ((Button(texts.EDIT, actions.supplier_edit(supplier.id)),),)))
    if len(found_suppliers) > len(shown):
        req.say(texts.LIST_MORE.format(more=len(found_suppliers) - len(shown)))


async def add_command(req: Request) -> None:
    """/addsupplier: the form to fill in."""
    if _official(req) is None:
        return
    req.conversation.enter(FORM_FLOW, FORM, {})
    req.say(texts.FORM.format(form=esc(texts.FORM_EXAMPLE)))


async def edit_pressed(req: Request) -> None:
    """✏️ 编辑 on a supplier's card: the form filled with its values."""
    assert req.press is not None
    account = req.account
    matched = actions.SUPPLIER_EDIT_PATTERN.match(req.press.action)
    if (account is None or account.status != "active" or account.role not in STAFF_ROLES
            or matched is None):
        await refuse_press(req, "supplier edit from a non-official or bad data")
        return
    supplier = await req.uow.suppliers.get(int(matched.group(1)))
    if supplier is None or not account.area.contains(supplier.place):
        await refuse_press(req, "supplier edit outside the caller's area")
        return
    capacities = (await req.uow.suppliers.capacities([supplier.id])).get(supplier.id, [])
    req.conversation.enter(FORM_FLOW, FORM, {"supplier": supplier.id})
    req.say(texts.FORM.format(form=esc(service.form_text(supplier, capacities))))


async def form_typed(req: Request) -> None:
    """The filled-in form: checked, saved, shown back as a card."""
    account = req.account
    if account is None or account.status != "active" or account.role not in STAFF_ROLES:
        req.conversation.end()
        req.say(texts.ONLY_OFFICIALS)
        return
    editing = None
    supplier_id = req.conversation.data.get("supplier")
    if isinstance(supplier_id, int):
        editing = await req.uow.suppliers.get(supplier_id)
        if editing is None or not account.area.contains(editing.place):
            req.conversation.end()
            req.say(texts.NO_SUCH_SUPPLIER.format(supplier=supplier_id))
            return
    data = service.read_form(req.text or "", account)
    if isinstance(data, str):
        req.say(f"{data}\n{texts.FORM_TRY_AGAIN}")
        return
    saved = await service.save_from_form(req.uow, data, editing, req.now)
    if isinstance(saved, str):
        req.say(f"{saved}\n{texts.FORM_TRY_AGAIN}")
        return
    supplier, added = saved
    req.conversation.end()
    capacities = (await req.uow.suppliers.capacities([supplier.id])).get(supplier.id, [])
    req.say((texts.SAVED_ADDED if added else texts.SAVED_UPDATED) + "\n"
            + service.supplier_card(supplier, capacities, account))


FLOW = Flow(name=FORM_FLOW, steps={FORM: Step(text=form_typed)})
