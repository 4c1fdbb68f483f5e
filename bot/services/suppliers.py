"""The emergency supplier registry's use cases: checking a supplier (an import row, the CLI,
an official's form), saving suppliers, finding the one someone names, and showing one to a
viewer with the phone only where the viewer may see it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.matching.area import AreaError, resolve_area
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
