"""farmdock's storage: SQLAlchemy Core over SQLite, Alembic revisions, typed repositories.

No SQL lives outside this package. A caller opens a unit of work on a
:class:`storage.database.Database` (``db.write()`` or ``db.read()``) and uses the
repositories on it (``uow.users``, ``uow.listings``, ``uow.matches``, ``uow.outbox``,
``uow.reports``, ``uow.audit``, ``uow.conversations``, ``uow.updates``, ``uow.jobs``).
"""
