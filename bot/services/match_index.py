"""The in-memory matching index of open listings: a cache of the database that catches up.

Each process (each webhook worker, the demo) holds its own copy. It is loaded
from the database at start-up and then follows the listings' change numbers:
:meth:`ListingIndex.sync` applies every listing written since the last sync,
by this process, another worker or the CLI. The use cases sync before they
match, so the database stays the truth and the index only finds candidates fast.
It reads committed listings only (in a snapshot of its own, or in a use case's unit of
work before that writes any listing), so a unit of work that is rolled back never leaves
a listing in it. When nothing has changed a sync reads
no rows.
"""

from __future__ import annotations

import asyncio
import time

from bot.matching.index import MatchIndex
from bot.matching.model import Listing, Match
from storage.database import Database
from storage.interfaces import UnitOfWork


class ListingIndex:
    """Open listings by product and place, from ``db``."""

    def __init__(self, db: Database, index: MatchIndex | None = None) -> None:
        self._db = db
        self._index = index or MatchIndex()
        # The newest listing change applied; 0 makes the first sync read every listing.
        self._seq = 0
        # Syncs apply their rows one at a time, so an older state never lands after a newer.
        self._syncing = asyncio.Lock()

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, listing_id: int) -> bool:
        return listing_id in self._index

    @property
    def seq(self) -> int:
        """The newest listing change number the index reflects."""
        return self._seq

    async def load(self, now: float | None = None) -> int:
        """Rebuild from the open listings in the database; returns how many are filed."""
        now = time.time() if now is None else now
        async with self._syncing, self._db.read() as uow:
            # One snapshot: the change number and the listings agree.
            seq = await uow.listings.latest_change_seq()
            self._index.rebuild(x for x in await uow.listings.open() if _live(x, now))
            self._seq = seq
        return len(self._index)

    async def sync(self, now: float | None = None, uow: UnitOfWork | None = None) -> int:
        """Apply the listings written since the last sync; returns how many were read.

        ``uow``, when given, is the unit of work to read them in (saving a snapshot of
        the sync's own); it must not have written a listing yet, so that the index never
        holds one that may still be rolled back.
        """
        now = time.time() if now is None else now
        async with self._syncing:
            if uow is None:
                async with self._db.read() as snapshot:
                    changes = await snapshot.listings.changed_since(self._seq)
            else:
                changes = await uow.listings.changed_since(self._seq)
            for listing in changes.listings:
                if _live(listing, now):
                    self._index.add(listing)
                else:
                    self._index.remove(listing.id)
            self._seq = changes.seq
        return len(changes.listings)

    def expire(self, now: float) -> list[int]:
        """Drop listings whose validity has passed; returns their ids."""
        return [listing.id for listing in self._index.expire(now)]

    def matches_for(self, listing: Listing, top_k: int, now: float) -> list[Match]:
        """The best ``top_k`` counterparts of ``listing``, nearest first."""
        return self._index.matches_for(listing, top_k, now)


def _live(listing: Listing, now: float) -> bool:
    """Open and still valid at ``now``: what belongs in the index."""
    return listing.status == "open" and (listing.expires_at is None or listing.expires_at > now)
