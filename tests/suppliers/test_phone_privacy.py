"""Registered phones by role and area: officials (and admins) whose area holds the supplier
see it; officials of another area, growers and buyers never do (each backend)."""

from __future__ import annotations

import time

import pytest

from bot.services.suppliers import check_supplier, may_see_phone, save_suppliers, supplier_card
from storage.database import Database
from storage.records import Role

PHONE = "13837510001"


@pytest.mark.parametrize(("role", "county", "township", "status", "sees"), [
    ("official", "宝丰县", "周庄镇", "active", True),     # the supplier's township
    ("official", "宝丰县", None, "active", True),         # its county
    ("official", None, None, "active", True),             # the city
    ("admin", None, None, "active", True),
    ("official", "宝丰县", "张八桥镇", "active", False),   # another township of the county
    ("official", "叶县", None, "active", False),          # another county
    ("official", "宝丰县", "周庄镇", "blocked", False),    # a blocked official
    ("grower", "宝丰县", "周庄镇", "active", False),      # never growers or buyers,
    ("buyer", "宝丰县", "周庄镇", "active", False),       # even next door
])
async def test_registered_phones_by_role_and_area(db: Database, role: Role, county: str | None,
                                                  township: str | None, status: str,
                                                  sees: bool) -> None:
    data = check_supplier(name="周庄生猪养殖场", type_="养殖场", credit_code="", county="宝丰县",
                          township="周庄镇", contact="李建国", phone=PHONE,
                          products="猪肉 2000斤/日", flags="")
    assert not isinstance(data, str)
    async with db.write() as uow:
        ids = await save_suppliers(uow, [data], time.time())
        viewer = await uow.users.upsert(42, role=role, name="某人", county=county,
                                        township=township, status=status)  # type: ignore[arg-type]
        await uow.commit()
    async with db.read() as uow:
        supplier = await uow.suppliers.get(ids[data.key])
        assert supplier is not None
        capacities = (await uow.suppliers.capacities([supplier.id]))[supplier.id]
    card = supplier_card(supplier, capacities, viewer)
    assert may_see_phone(viewer, supplier) is sees
    assert (PHONE in card) is sees
    assert ("仅所在地区的工作人员可见" in card) is not sees
    assert PHONE not in supplier_card(supplier, capacities, None)
