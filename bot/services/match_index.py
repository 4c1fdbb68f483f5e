"""The in-memory matching index of open listings, as a service of the running bot.

One instance per process, rebuilt from the database at start-up and kept in
step as listings are published, edited, closed or expire. In a deployment with
several workers each worker would hold its own copy rebuilt from the database;
the database stays the truth, the index only finds candidates fast.
"""

from __future__ import annotations

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

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, listing_id: int) -> bool:
        return str(listing_id) in self._index

    async def load(self, db: Database, now: float | None = None) -> int:
        """Rebuild from the open listings in the database; returns how many are filed."""
        now = time.time() if now is None else now
        self._index.rebuild(
            s.to_domain() for s in await listings.open_listings(db)
            if s.expires_at is None or s.expires_at > now
        )
        return len(self._index)

    def add(self, listing: StoredListing) -> None:
        """File a new or edited open listing (closed ones are taken out instead)."""
        if listing.status == "open":
            self._index.add(listing.to_domain())
        else:
            self.remove(listing.id)

    def remove(self, listing_id: int) -> None:
        self._index.remove(str(listing_id))

    def expire(self, now: float) -> list[int]:
        """Drop listings whose validity has passed; returns their ids."""
        return [int(listing.id) for listing in self._index.expire(now)]

    def matches_for(self, listing: StoredListing, top_k: int, now: float) -> list[Match]:
        """The best ``top_k`` counterparts of ``listing``, nearest first."""
        return self._index.matches_for(listing.to_domain(), top_k, now)
