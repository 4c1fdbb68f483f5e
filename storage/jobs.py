"""Runs of the scheduled jobs: each job once a day, across every worker process."""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import JobRun
from storage.schema import job_runs
from storage.sql import insert_ignoring_duplicates

_RUN = select(*JobRun.columns(job_runs))


class JobRunRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def claim(
        self, job: str, day: str, worker_id: str, now: float, *, lease_seconds: float
    ) -> bool:
        """Take ``job``'s run of ``day`` for ``worker_id`` until ``now + lease_seconds``;
        True when it is this worker's to run now.

        False when the run is finished, or another worker holds a live claim on it. A
        claim that ran out (its worker died) is taken over; claiming one's own again
        renews it. Two workers claiming at once: the first insert wins (on PostgreSQL the
        second waits on the key, then finds the row).
        """
        until = now + lease_seconds
        added = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, job_runs).values(
                job=job, day=day, claimed_by=worker_id, claimed_until=until, started_at=now)
        )
        if added.rowcount == 1:
            return True
        taken = await self._conn.execute(
            update(job_runs).where(
                job_runs.c.job == job, job_runs.c.day == day, job_runs.c.finished_at.is_(None),
                or_(job_runs.c.claimed_until <= now, job_runs.c.claimed_by == worker_id),
            ).values(claimed_by=worker_id, claimed_until=until, started_at=now)
        )
        return taken.rowcount == 1

    async def finish(self, job: str, day: str, worker_id: str, now: float) -> bool:
        """The run ran to the end; False when it was not ``worker_id``'s any more."""
        result = await self._conn.execute(
            update(job_runs).where(job_runs.c.job == job, job_runs.c.day == day,
                                   job_runs.c.claimed_by == worker_id,
                                   job_runs.c.finished_at.is_(None))
            .values(finished_at=now)
        )
        return result.rowcount == 1

    async def get(self, job: str, day: str) -> JobRun | None:
        row = (await self._conn.execute(
            _RUN.where(job_runs.c.job == job, job_runs.c.day == day))).first()
        return JobRun.from_row(row) if row else None
