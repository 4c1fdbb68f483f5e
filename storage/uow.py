"""The unit of work: one transaction, the repositories that run in it, one commit.

``async with db.write() as uow:`` … ``await uow.commit()``: every repository of the
unit works on its one connection, so a use case's writes (a listing, its matches,
its notices in the outbox) are committed together or not at all. Leaving the block
without ``commit`` rolls back.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncTransaction

from storage.audit import AuditRepository
from storage.conversations import ConversationRepository, UpdateRepository
from storage.coordination import CoordinationRepository
from storage.deals import DealRepository
from storage.follows import FollowRepository
from storage.jobs import JobRunRepository
from storage.listings import ListingRepository
from storage.matches import MatchRepository
from storage.outbox import OutboxRepository
from storage.passes import PassRepository
from storage.prices import PriceRepository
from storage.reports import ReportRepository
from storage.sealed_areas import SealedAreaRepository
from storage.send_clock import SendClockRepository
from storage.suppliers import SupplierRepository
from storage.survey import SurveyRepository
from storage.tickets import TicketRepository
from storage.users import UserRepository


class SqlUnitOfWork:
    def __init__(self, connection: AsyncConnection, transaction: AsyncTransaction) -> None:
        self.connection = connection
        self._transaction = transaction
        self.users = UserRepository(connection)
        self.listings = ListingRepository(connection)
        self.matches = MatchRepository(connection)
        self.outbox = OutboxRepository(connection)
        self.reports = ReportRepository(connection)
        self.audit = AuditRepository(connection)
        self.conversations = ConversationRepository(connection)
        self.updates = UpdateRepository(connection)
        self.send_clock = SendClockRepository(connection)
        self.jobs = JobRunRepository(connection)
        self.deals = DealRepository(connection)
        self.follows = FollowRepository(connection)
        self.tickets = TicketRepository(connection)
        self.passes = PassRepository(connection)
        self.prices = PriceRepository(connection)
        self.survey = SurveyRepository(connection)
        self.coordination = CoordinationRepository(connection)
        self.suppliers = SupplierRepository(connection)
        self.sealed_areas = SealedAreaRepository(connection)

    async def commit(self) -> None:
        """Make everything this unit of work did permanent."""
        await self._transaction.commit()

    @property
    def committed(self) -> bool:
        return not self._transaction.is_active
