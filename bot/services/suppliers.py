"""The emergency supplier registry's use cases: checking a supplier (an import row, the CLI,
an official's form), saving suppliers, finding the one someone names, and showing one to a
viewer with the phone only where the viewer may see it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.matching.area import AreaError, resolve_area
from bot.matching.model import CITY_NAME, Place
from bot.matching.phones import normalize_phone
from bot.matching.suppliers import (
    FLAGS,
    SUPPLIER_TYPES,
    Capacity,
    normalize_credit_code,
    parse_capacities,
    supplier_key,
)
from bot.matching.text import clean_text
from bot.services.imports import Row
from bot.texts import suppliers as texts
from bot.texts.html import esc
from storage.interfaces import UnitOfWork
from storage.records import STAFF_ROLES, User
from storage.suppliers import Supplier, SupplierData

IMPORT_COLUMNS = ("名称", "类型", "统一社会信用代码", "县区", "乡镇街道", "联系人", "电话",
                  "供应产品", "标记")
_FLAG_SEPARATORS = str.maketrans({c: "、" for c in "，,；; "})


def check_supplier(*, name: str, type_: str, credit_code: str, county: str, township: str,
                   contact: str, phone: str, products: str, flags: str) -> SupplierData | str:
    """The supplier these cells describe, or the Chinese reason they do not."""
    name, contact = clean_text(name).strip(), clean_text(contact).strip()
    if not name:
        return texts.NO_NAME
    if type_ not in SUPPLIER_TYPES:
        return texts.BAD_TYPE.format(type=type_ or "空", types="、".join(SUPPLIER_TYPES))
    code = None
    if credit_code.strip():
        code = normalize_credit_code(credit_code)
        if code is None:
            return texts.BAD_CODE.format(code=credit_code)
    if not county:
        return texts.NO_COUNTY
    try:
        area = resolve_area(f"{county}{township}")
    except AreaError:
        return texts.BAD_PLACE.format(place=f"{county}{township}")
    if area.county is None:
        return texts.BAD_PLACE.format(place=f"{county}{township}")
    stored_phone = None
    if phone.strip():
        stored_phone = normalize_phone(phone)
        if stored_phone is None:
            return texts.BAD_PHONE.format(phone=phone)
    flag_list = [f for f in clean_text(flags).translate(_FLAG_SEPARATORS).split("、") if f]
    for flag in flag_list:
        if flag not in FLAGS:
            return texts.BAD_FLAG.format(flag=flag, flags="、".join(FLAGS))
    if not products.strip():
        return texts.NO_CAPACITY
    capacities = parse_capacities(clean_text(products))
    if not isinstance(capacities, list):
        if capacities.reason == "product":
            return texts.UNKNOWN_PRODUCT.format(product=capacities.text)
        return texts.BAD_CAPACITY.format(text=capacities.text)
    return SupplierData(
        key=supplier_key(code, name, area.county, area.township), name=name, type=type_,
        credit_code=code, county=area.county, township=area.township, contact=contact,
        phone=stored_phone, flags="、".join(dict.fromkeys(flag_list)),
        capacities=tuple(capacities))


def check_row(row: Row) -> tuple[str, SupplierData, str] | str:
    """An import row checked: (key, supplier, label) or the reason to reject it."""
    checked = check_supplier(
        name=row.get("名称"), type_=row.get("类型"), credit_code=row.get("统一社会信用代码"),
        county=row.get("县区"), township=row.get("乡镇街道"), contact=row.get("联系人"),
        phone=row.get("电话"), products=row.get("供应产品"), flags=row.get("标记"))
    if isinstance(checked, str):
        return checked
    return checked.key, checked, checked.name


async def save_suppliers(uow: UnitOfWork, data: Sequence[SupplierData],
                         now: float) -> dict[str, int]:
    """Add or update the suppliers (by key) and link the users signed up with their phones;
    their ids by key."""
    ids = await uow.suppliers.save(data, now)
    await uow.suppliers.link_users_by_phone(ids.values(), now)
    return ids


async def find_supplier(uow: UnitOfWork, text: str) -> Supplier | str:
    """The supplier ``text`` names, by id or exact name; else the Chinese reason."""
    text = text.strip()
    if text.isdigit():
        found = await uow.suppliers.get(int(text))
        return found if found is not None else texts.NO_SUCH_SUPPLIER.format(supplier=text)
    named = await uow.suppliers.named(text)
    if not named:
        return texts.NO_SUCH_SUPPLIER.format(supplier=text)
    if len(named) > 1:
        ids = "、".join(f"{s.id}（{s.county}{s.township or ''}）" for s in named)
        return texts.SEVERAL_SUPPLIERS.format(supplier=text, ids=ids)
    return named[0]


def may_see_phone(viewer: User | None, supplier: Supplier) -> bool:
    """Whether ``viewer`` may see the supplier's registered phone: active officials (and
    admins) whose area contains the supplier's place; never growers or buyers."""
    return (viewer is not None and viewer.role in STAFF_ROLES and viewer.status == "active"
            and viewer.area.contains(supplier.place))


def capacities_text(capacities: Sequence[Capacity]) -> str:
    return "；".join(c.label() for c in capacities) or "—"


def supplier_card(supplier: Supplier, capacities: Sequence[Capacity],
                  viewer: User | None) -> str:
    """The supplier as ``viewer`` may read it (HTML): the phone only if they may see it."""
    if may_see_phone(viewer, supplier):
        phone = esc(supplier.phone or texts.NO_PHONE)
    else:
        phone = texts.PHONE_HIDDEN
    return texts.CARD.format(
        name=esc(supplier.name), type=esc(supplier.type),
        flags="".join(texts.KEY_FLAG.format(flag=esc(f)) for f in supplier.flag_list),
        place=esc(supplier.county + (supplier.township or "")),
        capacities=esc(capacities_text(capacities)),
        contact=esc(supplier.contact or texts.NO_CONTACT), phone=phone)


# The officials' form in the bot: one message, a line per field.
FORM_FIELDS = {"名称": "name", "类型": "type_", "地点": "place", "联系人": "contact",
               "电话": "phone", "供应": "products", "供应产品": "products", "标记": "flags",
               "统一社会信用代码": "credit_code", "信用代码": "credit_code"}
LIST_SHOWN = 20


def form_text(supplier: Supplier, capacities: Sequence[Capacity]) -> str:
    """The form filled with a supplier's values, for an official to change and send back."""
    return "\n".join([
        f"名称：{supplier.name}", f"类型：{supplier.type}",
        f"地点：{supplier.county}{supplier.township or ''}", f"联系人：{supplier.contact}",
        f"电话：{supplier.phone or ''}", f"供应：{capacities_text(capacities)}",
        f"标记：{supplier.flags}", f"统一社会信用代码：{supplier.credit_code or ''}"])


def read_form(text: str, official: User) -> SupplierData | str:
    """An official's filled-in form checked, the place inside their area; or the reason."""
    cells = dict.fromkeys(("name", "type_", "place", "contact", "phone", "products", "flags",
                           "credit_code"), "")
    for line in clean_text(text).splitlines():
        line = line.strip()
        if not line:
            continue
        head, sep, value = line.replace(":", "：").partition("：")
        field = FORM_FIELDS.get(head.strip())
        if not sep or field is None:
            return texts.FORM_UNKNOWN_LINE.format(line=esc(line))
        cells[field] = value.strip()
    if not cells["place"]:
        return texts.FORM_NO_PLACE if cells["name"] else texts.NO_NAME
    try:
        area = resolve_area(cells["place"])
    except AreaError:
        return texts.BAD_PLACE.format(place=esc(cells["place"]))
    if area.county is None:
        return texts.BAD_PLACE.format(place=esc(cells["place"]))
    checked = check_supplier(
        name=cells["name"], type_=cells["type_"], credit_code=cells["credit_code"],
        county=area.county, township=area.township or "", contact=cells["contact"],
        phone=cells["phone"], products=cells["products"], flags=cells["flags"])
    if isinstance(checked, str):
        return esc(checked)
    if not official.area.contains(area_place(checked)):
        return texts.FORM_PLACE_OUTSIDE.format(place=esc(area.label),
                                               area=esc(official.area.label))
    return checked


def area_place(data: SupplierData) -> Place:
    return Place(city=CITY_NAME, county=data.county, township=data.township)


async def save_from_form(uow: UnitOfWork, data: SupplierData, editing: Supplier | None,
                         now: float) -> tuple[Supplier, bool] | str:
    """Add the supplier of the form, or (``editing``) change that one; (supplier, added),
    or the reason when another supplier already has the form's key (edit that one)."""
    taken = await uow.suppliers.by_key(data.key)
    if taken is not None and (editing is None or taken.id != editing.id):
        return texts.FORM_TAKEN.format(name=esc(taken.name), id=taken.id)
    if editing is not None:
        await uow.suppliers.replace(editing.id, data, now)
        supplier_id = editing.id
    else:
        supplier_id = (await uow.suppliers.save([data], now))[data.key]
    await uow.suppliers.link_users_by_phone([supplier_id], now)
    saved = await uow.suppliers.get(supplier_id)
    assert saved is not None
    return saved, editing is None
