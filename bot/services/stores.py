"""Stores and markets of the survey: checking an imported row, adding one, finding the one
an operator or an official names, linking managers and officers."""

from __future__ import annotations

from dataclasses import dataclass

from bot.matching.area import AreaError, resolve_area
from bot.matching.phones import normalize_phone
from bot.matching.text import clean_text
from bot.services.imports import Row
from bot.texts import survey as texts
from storage.interfaces import UnitOfWork
from storage.survey import Store, store_label

STORE_TYPES = ("超市", "农贸市场", "社区店")
IMPORT_COLUMNS = ("连锁企业", "门店", "类型", "县区", "乡镇街道", "店长电话")
StoreKey = tuple[str, str]  # chain, store name


@dataclass(frozen=True, slots=True)
class StoreInput:
    """A store as an import row or ``stores add`` gives it, checked."""

    chain: str
    name: str
    type: str
    county: str
    township: str | None
    manager_phone: str | None

    @property
    def key(self) -> StoreKey:
        return (self.chain, self.name)

    @property
    def label(self) -> str:
        return store_label(self.chain, self.name)


def check_store(chain: str, name: str, type_: str, county: str, township: str,
                phone: str) -> StoreInput | str:
    """The store these cells describe, or the Chinese reason they do not."""
    chain, name = clean_text(chain).strip(), clean_text(name).strip()
    if not name:
        return texts.IMPORT_NO_NAME
    if type_ not in STORE_TYPES:
        return texts.IMPORT_BAD_TYPE.format(type=type_ or "空", types="、".join(STORE_TYPES))
    if not county:
        return texts.IMPORT_NO_COUNTY
    try:
        area = resolve_area(f"{county}{township}")
    except AreaError:
        return texts.IMPORT_BAD_PLACE.format(place=f"{county}{township}")
    if area.county is None:
        return texts.IMPORT_BAD_PLACE.format(place=f"{county}{township}")
    stored_phone = None
    if phone:
        stored_phone = normalize_phone(phone)
        if stored_phone is None:
            return texts.IMPORT_BAD_PHONE.format(phone=phone)
    return StoreInput(chain, name, type_, area.county, area.township, stored_phone)


def check_row(row: Row) -> tuple[StoreKey, StoreInput, str] | str:
    """An import row checked: (key, store, label) or the reason to reject it."""
    checked = check_store(row.get("连锁企业"), row.get("门店"), row.get("类型"), row.get("县区"),
                          row.get("乡镇街道"), row.get("店长电话"))
    if isinstance(checked, str):
        return checked
    return checked.key, checked, checked.label


async def store_exists(uow: UnitOfWork, key: StoreKey) -> bool:
    return any(s.chain == key[0] for s in await uow.survey.stores_named(key[1]))


async def save_store(uow: UnitOfWork, store: StoreInput, now: float) -> tuple[Store, bool]:
    """Add or update the store (by chain + name) and link the users signed up with its
    manager's phone; (store, added)."""
    saved, added = await uow.survey.upsert_store(
        chain=store.chain, name=store.name, type=store.type, county=store.county,
        township=store.township, manager_phone=store.manager_phone, now=now)
    await uow.survey.link_managers_by_phone(saved, now)
    return saved, added


async def find_store(uow: UnitOfWork, text: str) -> Store | str:
    """The store ``text`` names, by its id or its exact 门店 name; else the Chinese reason
    (none, or several stores of that name)."""
    text = text.strip()
    if text.isdigit():
        found = await uow.survey.get_store(int(text))
        return found if found is not None else texts.NO_SUCH_STORE.format(store=text)
    named = await uow.survey.stores_named(text)
    if not named:
        return texts.NO_SUCH_STORE.format(store=text)
    if len(named) > 1:
        ids = "、".join(f"{s.id}（{s.label}）" for s in named)
        return texts.SEVERAL_STORES.format(store=text, ids=ids)
    return named[0]
