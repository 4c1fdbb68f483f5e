"""Monitoring points, links and price reports in the database, on both backends."""

from __future__ import annotations

from bot.matching.area import Area
from bot.services.prices import PointError, add_point, find_point
from storage.database import Database
from storage.prices import PriceEntry

NOW = 1_000_000.0


async def test_points_links_are_not_roles_and_a_user_may_have_several(db: Database) -> None:
    async with db.write() as uow:
        await uow.users.upsert(42, role="buyer", name="王经理")
        market = await add_point(uow, name="宝丰县农贸市场", type="农贸市场",
                                 area=Area("宝丰县"), now=NOW, telegram_id=42)
        shop = await add_point(uow, name="叶县超市", type="超市",
                               area=Area("叶县", "昆阳街道"), now=NOW)
        assert await uow.prices.link(shop.id, 42, NOW) is True
        assert await uow.prices.link(shop.id, 42, NOW) is False
        await uow.commit()
    async with db.read() as uow:
        assert [p.name for p in await uow.prices.points_of(42)] == ["宝丰县农贸市场", "叶县超市"]
        user = await uow.users.get(42)
        assert user is not None and user.role == "buyer"
        assert await uow.prices.reporters([market.id, shop.id]) == {
            market.id: [42], shop.id: [42]}
        assert [p.name for p in await uow.prices.points(Area("叶县"))] == ["叶县超市"]
        assert (await find_point(uow, str(shop.id))).name == "叶县超市"
        assert (await find_point(uow, "叶县超市")).id == shop.id


async def test_a_name_is_taken_once_and_a_point_needs_a_county(db: Database) -> None:
    async with db.write() as uow:
        await add_point(uow, name="郏县超市", type="超市", area=Area("郏县"), now=NOW)
        for name, area in (("郏县超市", Area("郏县")), ("全市", Area())):
            try:
                await add_point(uow, name=name, type="超市", area=area, now=NOW)
            except PointError:
                continue
            raise AssertionError(f"{name} was added")


async def test_a_correction_replaces_the_price_and_keeps_the_history(db: Database) -> None:
    async with db.write() as uow:
        point = await add_point(uow, name="湛河区超市", type="超市", area=Area("湛河区"), now=NOW)
        await uow.prices.record(point.id, "2026-05-09", [
            PriceEntry("大白菜", 1.2, "500g", 400, "kg"), PriceEntry("猪肉", 13.8, "500g")],
            reported_by=42, source="bot", now=NOW)
        await uow.commit()
    async with db.write() as uow:
        await uow.prices.record(point.id, "2026-05-09", [PriceEntry("大白菜", 1.3, "500g")],
                                reported_by=42, source="bot", now=NOW + 60)
        await uow.commit()
    async with db.read() as uow:
        day = await uow.prices.day_of(point.id, "2026-05-09")
        assert [(r.product, r.price, r.sales) for r in day] == [
            ("大白菜", 1.3, None), ("猪肉", 13.8, None)]
        history = await uow.prices.history(point.id, "2026-05-09")
        assert [(r.product, r.price, r.sales, at) for r, at in history] == [
            ("大白菜", 1.2, 400, NOW + 60)]


async def test_replacing_a_day_never_doubles_and_removal_keeps_reports(db: Database) -> None:
    async with db.write() as uow:
        point = await add_point(uow, name="鲁山县市场", type="批发市场", area=Area("鲁山县"),
                                now=NOW)
        for _ in range(2):
            await uow.prices.record(point.id, "2026-05-08", [
                PriceEntry("大白菜", 1.0, "500g"), PriceEntry("鸡蛋", 5.0, "500g")],
                reported_by=None, source="import", now=NOW, replace_day=True)
        await uow.prices.record(point.id, "2026-05-09", [PriceEntry("鸡蛋", 5.5, "500g")],
                                reported_by=None, source="import", now=NOW, replace_day=True)
        await uow.prices.record(point.id, "2026-05-08", [PriceEntry("猪肉", 14.0, "500g")],
                                reported_by=None, source="import", now=NOW, replace_day=True)
        await uow.commit()
    async with db.write() as uow:
        assert [r.product for r in await uow.prices.day_of(point.id, "2026-05-08")] == ["猪肉"]
        previous = await uow.prices.previous_prices(point.id, ["鸡蛋", "猪肉", "大米"],
                                                    "2026-05-10")
        assert {p: r.price for p, r in previous.items()} == {"鸡蛋": 5.5, "猪肉": 14.0}
        assert await uow.prices.reported_points("2026-05-09") == {point.id}
        assert await uow.prices.remove_point(point.id, NOW) is True
        await uow.commit()
    async with db.read() as uow:
        assert await uow.prices.points() == []
        prices = await uow.prices.day_prices(["2026-05-08", "2026-05-09"], Area("鲁山县"))
        assert sorted((p.day, p.product, p.county) for p in prices) == [
            ("2026-05-08", "猪肉", "鲁山县"), ("2026-05-09", "鸡蛋", "鲁山县")]
        assert await uow.prices.day_prices(["2026-05-09"], Area("叶县")) == []


async def test_two_reports_of_one_point_at_once_both_land_one_after_the_other(
    db: Database,
) -> None:
    import asyncio

    async with db.write() as uow:
        point = await add_point(uow, name="卫东区市场", type="农贸市场", area=Area("卫东区"),
                                now=NOW)
        await uow.commit()

    async def report(price: float) -> None:
        async with db.write() as uow:
            await uow.prices.record(point.id, "2026-05-09", [PriceEntry("大白菜", price, "500g")],
                                    reported_by=None, source="bot", now=NOW + price)
            await asyncio.sleep(0.05)  # both transactions are open at once
            await uow.commit()

    await asyncio.gather(report(1.0), report(2.0))
    async with db.read() as uow:
        (current,) = await uow.prices.day_of(point.id, "2026-05-09")
        history = await uow.prices.history(point.id, "2026-05-09")
    assert len(history) == 1 and {current.price, history[0][0].price} == {1.0, 2.0}
