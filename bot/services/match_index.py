"""The in-memory matching index of open listings: a cache of the database that catches up.

Each process (each webhook worker, the demo) holds its own copy. It is loaded
from the database at start-up and then follows the listings' change numbers:
:meth:`ListingIndex.sync` applies every listing written since the last sync,
by this process, another worker or the CLI. The use cases sync before they
match and after they write, so the database stays the truth and the index only
finds candidates fast. When nothing has changed a sync reads no rows.
"""

from __future__ import annotations

import asyncio
import time

from bot.matching.index import MatchIndex
from bot.matching.model import Match
from storage import listings
from storage.database import Database
from storage.records import StoredListing


class ListingIndex:
    """Open listings by product and place; ids are the stored listing ids."""

    def __init__(self, index: MatchIndex | None = None) -> None:
        self._index = index or MatchIndex()
        # The newest listing change applied; 0 makes the first sync read every listing.
        self._seq = 0
        # Syncs apply their rows one at a time, so an older state never lands after a newer.
        self._syncing = asyncio.Lock()

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, listing_id: int) -> bool:
        return str(listing_id) in self._index

    @property
    def seq(self) -> int:
        """The newest listing change number the index reflects."""
        return self._seq

    async def load(self, db: Database, now: float | None = None) -> int:
        """Rebuild from the open listings in the database; returns how many are filed."""
        now = time.time() if now is None else now
        async with self._syncing:
            # The number first: a change committed between the two reads is read again
            # by the next sync, which is harmless; read the other way round it would be lost.
            seq = await listings.latest_change_seq(db)
            self._index.rebuild(
                s.to_domain() for s in await listings.open_listings(db) if _live(s, now)
            )
            self._seq = seq
        return len(self._index)

    async def sync(self, db: Database, now: float | None = None) -> int:
        """Apply the listings written since the last sync; returns how many were read."""
        now = time.time() if now is None else now
        async with self._syncing:
            changes = await listings.listings_changed_since(db, self._seq)
            for listing in changes.listings:
                if _live(listing, now):
                    self._index.add(listing.to_domain())
                else:
                    self._index.remove(str(listing.id))
            self._seq = changes.seq
        return len(changes.listings)

    def expire(self, now: float) -> list[int]:
        """Drop listings whose validity has passed; returns their ids."""
        return [int(listing.id) for listing in self._index.expire(now)]

    def matches_for(self, listing: StoredListing, top_k: int, now: float) -> list[Match]:
        """The best ``top_k`` counterparts of ``listing``, nearest first."""
        return self._index.matches_for(listing.to_domain(), top_k, now)


def _live(listing: StoredListing, now: float) -> bool:
    """Open and still valid at ``now``: what belongs in the index."""
    return listing.status == "open" and (listing.expires_at is None or listing.expires_at > now)
