"""farmdock's storage: SQLite through aiosqlite, numbered migrations, a typed repository.

No SQL lives outside this package. Callers use the functions of the modules
``users``, ``listings``, ``matches``, ``outbox``, ``state`` and ``audit``,
each taking an open :class:`storage.database.Database`.
"""
