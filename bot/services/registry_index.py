"""The registry's index, kept between runs of the registry job: rebuilt only when the
registry changed (a supplier added or updated, in any process), checked by one small query
each time."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.matching.engine import city_distance
from bot.matching.suppliers import RegistryIndex
from storage.interfaces import UnitOfWork


@dataclass(slots=True)
class RegistryCache:
    """The index of every registered capacity, and the registry version it was built at."""

    _index: RegistryIndex | None = None
    _version: tuple[int, float] | None = field(default=None)

    async def index(self, uow: UnitOfWork) -> RegistryIndex:
        """The index as the registry stands in ``uow``."""
        version = await uow.suppliers.version()
        if self._index is None or version != self._version:
            rows = await uow.suppliers.capacity_rows(None)
            self._index = RegistryIndex.from_rows(rows, city_distance())
            self._version = version
        return self._index
