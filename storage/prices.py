"""Monitoring points, the users linked to them and their daily price reports."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.matching.area import Area
from bot.matching.monitoring import DayStat, PairStat, PointPrice
from storage.records import MonitoringPoint, PointInvite, PriceRecord
from storage.schema import (
    monitoring_points,
    point_invites,
    point_links,
    price_report_history,
    price_reports,
)
from storage.sql import chunks, in_area, insert_ignoring_duplicates

_POINT = select(*MonitoringPoint.columns(monitoring_points))
_PRICE = select(*PriceRecord.columns(price_reports))
_INVITE = select(*PointInvite.columns(point_invites))
SOURCES = ("bot", "cli", "import")


@dataclass(frozen=True, slots=True)
class PriceEntry:
    """One item of a report to store."""

    product: str
    price: float
    price_unit: str
    sales: float | None = None
    sales_unit: str | None = None


class PriceRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    # Points ------------------------------------------------------------------------
    async def add_point(
        self, *, name: str, type: str, county: str, township: str | None, now: float
    ) -> MonitoringPoint | None:
        """A new point, or None when the name is taken (by a live or a removed point)."""
        added = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, monitoring_points).values(
                name=name, type=type, county=county, township=township, created_at=now))
        if added.rowcount != 1:
            return None
        return await self.point_named(name)

    async def point(self, point_id: int) -> MonitoringPoint | None:
        row = (await self._conn.execute(
            _POINT.where(monitoring_points.c.id == point_id))).first()
        return MonitoringPoint.from_row(row) if row else None

    async def point_named(self, name: str) -> MonitoringPoint | None:
        row = (await self._conn.execute(
            _POINT.where(monitoring_points.c.name == name))).first()
        return MonitoringPoint.from_row(row) if row else None

    async def points(self, area: Area | None = None) -> list[MonitoringPoint]:
        """Live points (in ``area``), by id."""
        query = _POINT.where(monitoring_points.c.removed_at.is_(None))
        if area is not None:
            query = query.where(in_area(monitoring_points, area))
        rows = await self._conn.execute(query.order_by(monitoring_points.c.id))
        return [MonitoringPoint.from_row(r) for r in rows]

    async def remove_point(self, point_id: int, now: float) -> bool:
        """Stop monitoring a point (its reports stay); False when it was not live."""
        result = await self._conn.execute(
            update(monitoring_points)
            .where(monitoring_points.c.id == point_id, monitoring_points.c.removed_at.is_(None))
            .values(removed_at=now))
        await self._conn.execute(delete(point_links).where(point_links.c.point_id == point_id))
        return result.rowcount == 1

    # Links -------------------------------------------------------------------------
    async def link(self, point_id: int, telegram_id: int, now: float) -> bool:
        """Link a user to a point; False when they already were."""
        result = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, point_links).values(
                point_id=point_id, telegram_id=telegram_id, created_at=now))
        return result.rowcount == 1

    async def unlink(self, point_id: int, telegram_id: int) -> bool:
        result = await self._conn.execute(delete(point_links).where(
            point_links.c.point_id == point_id, point_links.c.telegram_id == telegram_id))
        return result.rowcount == 1

    async def points_of(self, telegram_id: int) -> list[MonitoringPoint]:
        """The live points a user is linked to, by id."""
        rows = await self._conn.execute(
            _POINT.join(point_links, point_links.c.point_id == monitoring_points.c.id)
            .where(point_links.c.telegram_id == telegram_id,
                   monitoring_points.c.removed_at.is_(None))
            .order_by(monitoring_points.c.id))
        return [MonitoringPoint.from_row(r) for r in rows]

    async def reporters(self, point_ids: Sequence[int]) -> dict[int, list[int]]:
        """The users linked to each point, by point id."""
        found: dict[int, list[int]] = {}
        for part in chunks(list(point_ids)):
            rows = await self._conn.execute(
                select(point_links.c.point_id, point_links.c.telegram_id)
                .where(point_links.c.point_id.in_(part))
                .order_by(point_links.c.point_id, point_links.c.telegram_id))
            for point_id, telegram_id in rows:
                found.setdefault(point_id, []).append(telegram_id)
        return found

    # Invites -----------------------------------------------------------------------
    async def create_invite(self, point_id: int, created_by: int | None, now: float) -> str:
        code = "pt" + secrets.token_urlsafe(12).replace("-", "x").replace("_", "y")
        await self._conn.execute(insert(point_invites).values(
            code=code, point_id=point_id, created_by=created_by, created_at=now))
        return code

    async def invite(self, code: str) -> PointInvite | None:
        """A point link, used or not."""
        row = (await self._conn.execute(_INVITE.where(point_invites.c.code == code))).first()
        return PointInvite.from_row(row) if row else None

    async def use_invite(self, code: str, telegram_id: int, now: float) -> PointInvite | None:
        """Take an unused invite for ``telegram_id``; None when unknown or used."""
        result = await self._conn.execute(
            update(point_invites)
            .where(point_invites.c.code == code, point_invites.c.used_by.is_(None))
            .values(used_by=telegram_id, used_at=now))
        if result.rowcount != 1:
            return None
        row = (await self._conn.execute(_INVITE.where(point_invites.c.code == code))).first()
        return PointInvite.from_row(row) if row else None

    # Reports -----------------------------------------------------------------------
    async def record(
        self, point_id: int, day: str, entries: Iterable[PriceEntry], *,
        reported_by: int | None, source: str, now: float, replace_day: bool = False,
    ) -> int:
        """Store a report: each entry replaces that item's price of the day (the replaced
        one goes to the history); ``replace_day`` replaces the point's whole day. Returns
        how many prices were stored."""
        entries = list(entries)
        if self._conn.dialect.name == "postgresql":
            # Two reports of one point at once are stored one after the other (SQLite's
            # one writer does this there): the point's row is the lock.
            await self._conn.execute(select(monitoring_points.c.id)
                                     .where(monitoring_points.c.id == point_id).with_for_update())
        current = price_reports.c
        where = and_(current.point_id == point_id, current.day == day)
        if not replace_day:
            where = and_(where, current.product.in_([e.product for e in entries]))
        kept = PriceRecord.columns(price_reports)
        await self._conn.execute(
            insert(price_report_history).from_select(
                [c.name for c in kept] + ["replaced_at"],
                select(*kept, literal(now, price_report_history.c.replaced_at.type))
                .where(where)))
        await self._conn.execute(delete(price_reports).where(where))
        if entries:
            await self._conn.execute(insert(price_reports), [
                {"point_id": point_id, "day": day, "product": e.product, "price": e.price,
                 "price_unit": e.price_unit, "sales": e.sales, "sales_unit": e.sales_unit,
                 "reported_by": reported_by, "reported_at": now, "source": source}
                for e in entries])
        return len(entries)

    async def day_of(self, point_id: int, day: str) -> list[PriceRecord]:
        rows = await self._conn.execute(
            _PRICE.where(price_reports.c.point_id == point_id, price_reports.c.day == day)
            .order_by(price_reports.c.product))
        return [PriceRecord.from_row(r) for r in rows]

    async def last_day_before(self, point_id: int, day: str) -> list[PriceRecord]:
        """The point's prices of its latest day of reports before ``day``."""
        last = (await self._conn.execute(
            select(func.max(price_reports.c.day))
            .where(price_reports.c.point_id == point_id, price_reports.c.day < day))).scalar()
        return [] if last is None else await self.day_of(point_id, last)

    async def history(self, point_id: int, day: str) -> list[tuple[PriceRecord, float]]:
        """What later reports replaced, oldest first, with when it was replaced."""
        h = price_report_history
        rows = await self._conn.execute(
            select(*[h.c[c.name] for c in PriceRecord.columns(price_reports)], h.c.replaced_at)
            .where(h.c.point_id == point_id, h.c.day == day).order_by(h.c.id))
        return [(PriceRecord.from_row(r[:-1]), r[-1]) for r in rows]

    async def previous_prices(
        self, point_id: int, products: Sequence[str], before_day: str
    ) -> dict[str, PriceRecord]:
        """The point's latest price of each product on a day before ``before_day``."""
        found: dict[str, PriceRecord] = {}
        for product in products:
            row = (await self._conn.execute(
                _PRICE.where(price_reports.c.point_id == point_id,
                             price_reports.c.product == product,
                             price_reports.c.day < before_day)
                .order_by(price_reports.c.day.desc()).limit(1))).first()
            if row:
                found[product] = PriceRecord.from_row(row)
        return found

    async def day_prices(self, days: Sequence[str], area: Area | None = None) -> list[PointPrice]:
        """Every current price of ``days`` at live and removed points (in ``area``)."""
        p = monitoring_points
        query = (
            select(price_reports.c.day, price_reports.c.point_id, p.c.county,
                   price_reports.c.product, price_reports.c.price, price_reports.c.price_unit)
            .join(p, p.c.id == price_reports.c.point_id)
            .where(price_reports.c.day.in_(list(days))))
        if area is not None:
            query = query.where(in_area(p, area))
        rows = await self._conn.execute(query)
        return [PointPrice(*r) for r in rows]

    async def day_averages(self, day: str, products: Sequence[str]) -> dict[tuple[str, str], float]:
        """The mean price of each product on ``day`` over all points, by (product, unit)."""
        if not products:
            return {}
        rows = await self._conn.execute(
            select(price_reports.c.product, price_reports.c.price_unit,
                   func.avg(price_reports.c.price))
            .where(price_reports.c.day == day, price_reports.c.product.in_(list(products)))
            .group_by(price_reports.c.product, price_reports.c.price_unit))
        return {(product, unit): float(avg) for product, unit, avg in rows}

    async def day_figures(
        self, day: str, offsets: Sequence[tuple[int, str]], units: dict[str, str],
        area: Area | None = None, products: Sequence[str] | None = None,
    ) -> tuple[list[DayStat], list[PairStat]]:
        """The per-county figures of ``day``'s table: each product's count, sum, min and
        max of prices in its basket unit (``units``), and for each (days back, that day)
        of ``offsets`` the count and sums of the points that reported both days (of
        ``products`` only, when given). A few grouped queries: the database adds up, only
        a few rows per product come back."""
        t, p = price_reports, monitoring_points
        base = t.join(p, p.c.id == t.c.point_id)
        where = [t.c.day == day]
        if area is not None:
            where.append(in_area(p, area))
        if products is not None:
            where.append(t.c.product.in_(list(products)))
        rows = await self._conn.execute(
            select(p.c.county, t.c.product, t.c.price_unit, func.count(), func.sum(t.c.price),
                   func.min(t.c.price), func.max(t.c.price))
            .select_from(base).where(*where)
            .group_by(p.c.county, t.c.product, t.c.price_unit))
        stats = [DayStat(county, product, int(n), float(total), float(low), float(high))
                 for county, product, unit, n, total, low, high in rows
                 if units.get(product) == unit]
        then = t.alias("then")
        pairs: list[PairStat] = []
        for days, earlier in offsets:
            rows = await self._conn.execute(
                select(p.c.county, t.c.product, t.c.price_unit, func.count(),
                       func.sum(t.c.price), func.sum(then.c.price))
                .select_from(base.join(then, and_(
                    then.c.point_id == t.c.point_id, then.c.day == earlier,
                    then.c.product == t.c.product, then.c.price_unit == t.c.price_unit)))
                .where(*where)
                .group_by(p.c.county, t.c.product, t.c.price_unit))
            pairs.extend(PairStat(county, product, days, int(n), float(now), float(old))
                         for county, product, unit, n, now, old in rows
                         if units.get(product) == unit)
        return stats, pairs

    async def reported_points(self, day: str) -> set[int]:
        """The points with at least one price on ``day``."""
        rows = await self._conn.execute(
            select(price_reports.c.point_id).where(price_reports.c.day == day).distinct())
        return {r[0] for r in rows}
