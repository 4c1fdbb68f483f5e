"""/short: the needs of an official's area still unmatched right now, through the real bot."""

from __future__ import annotations

import time

from telegram.ext import Application

from storage.database import Database
from tests.bot.conftest import sign_up
from tests.digest.factories import listing, match, person
from tests.fake_bot_api import FakeUser
from tests.stores import each

HOUR = 3600.0
BUYER_PHONE = "13912345678"


async def _open_needs(db: Database) -> dict[str, int]:
    """Needs in three places, posted hours ago; one of them matched. Product -> listing id."""
    now = time.time()
    zbq = await person(db, 900, "buyer", organisation="张八桥超市", phone=BUYER_PHONE)
    zz = await person(db, 901, "buyer", township="周庄镇", organisation="周庄食堂")
    yx = await person(db, 902, "buyer", county="叶县", township=None, organisation="叶县超市")
    farm = await person(db, 903, organisation="张八桥合作社")
    ids = {}
    needs = {}
    for owner, product, hours in ((zbq, "菠菜", 2), (zbq, "土豆", 30), (zz, "白萝卜", 5),
                                  (yx, "大葱", 9), (zbq, "大白菜", 12)):
        needs[product] = await listing(
            db, owner, "need", product, 500, created_at=now - hours * HOUR,
            raw_text=f"求购{product}1000斤 电话{BUYER_PHONE}",
        )
        ids[product] = needs[product].id
    offer = await listing(db, farm, "offer", "大白菜", 5000, created_at=now - 12 * HOUR)
    await match(db, needs["大白菜"], offer, created_at=now - 11 * HOUR)
    return ids


async def _official(db: Database, user: FakeUser, county: str | None,
                    township: str | None = None, role: str = "official") -> None:
    await each(db).users.upsert(user.id, role=role, name="王科长",  # type: ignore[arg-type]
                            county=county, township=township)


async def _short(user: FakeUser) -> str:
    user.send("/short")
    return (await user.next_message()).content


async def test_short_shows_a_township_its_own_open_needs_oldest_first(
    make_user, farmdock: Application, db: Database
) -> None:
    await _open_needs(db)
    official = make_user("王科长")
    await _official(db, official, "宝丰县", "张八桥镇")
    text = await _short(official)
    assert "宝丰县张八桥镇" in text and "2 条" in text
    assert text.index("土豆") < text.index("菠菜")  # waited 30 hours, then 2
    assert "已等30小时" in text and "已等2小时" in text
    assert "张八桥超市" in text
    for elsewhere in ("白萝卜", "周庄", "大葱", "叶县", "大白菜"):  # other places; matched
        assert elsewhere not in text
    assert BUYER_PHONE not in text


async def test_short_for_a_county_and_for_an_admin(
    make_user, farmdock: Application, db: Database
) -> None:
    await _open_needs(db)
    county = make_user("县商务局")
    await _official(db, county, "宝丰县")
    text = await _short(county)
    assert all(p in text for p in ("土豆", "白萝卜", "菠菜")) and "大葱" not in text
    assert text.index("土豆") < text.index("白萝卜") < text.index("菠菜")
    admin = make_user("市商务局")
    await _official(db, admin, "宝丰县", "张八桥镇", role="admin")  # admins see the city
    text = await _short(admin)
    assert "平顶山市" in text and "4 条" in text
    assert text.index("土豆") < text.index("大葱") < text.index("白萝卜") < text.index("菠菜")
    assert BUYER_PHONE not in text


async def test_short_when_nothing_is_short(make_user, farmdock: Application, db: Database) -> None:
    official = make_user("王科长")
    await _official(db, official, "鲁山县")
    assert "没有在架的求购信息" in await _short(official)


async def test_short_is_for_officials_only(make_user, farmdock: Application, db: Database) -> None:
    await _open_needs(db)
    buyer = make_user("李经理")
    await sign_up(buyer, role="采购方", name="李经理", organisation="丹尼斯超市")
    text = await _short(buyer)
    assert "工作人员" in text and "土豆" not in text
    stranger = make_user("路人")
    text = await _short(stranger)
    assert "土豆" not in text and BUYER_PHONE not in text
    # The role is read from the database at every call: a former official is refused.
    official = make_user("王科长")
    await _official(db, official, "宝丰县")
    assert "土豆" in await _short(official)
    await _official(db, official, "宝丰县", role="buyer")
    assert "工作人员" in await _short(official)
