"""Round trips to PostgreSQL, counted where asyncpg sends them: on the connection itself.

Every call of ``execute``, ``executemany``, ``fetch``, ``fetchrow`` and ``fetchval`` on an
asyncpg connection is one round trip (a statement asyncpg has not prepared yet costs one
more, once per connection; that is left out). Counting on the connection class catches what
the storage's own code sends and what asyncpg sends for it, such as the ROLLBACK of a
connection returned to the pool inside a transaction. The pool's reset query is not sent at
all (``storage/postgres.py`` gives the pool a reset that does nothing).
"""

from __future__ import annotations

from typing import Any

import asyncpg


class RoundTrips:
    """How many round trips one repository's connections made so far."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


class CountedConnection(asyncpg.Connection):  # type: ignore[misc]
    """An asyncpg connection that adds each of its round trips to ``trips``."""

    trips: RoundTrips | None = None

    def _one(self) -> None:
        trips = self.trips
        if trips is not None:
            trips.count += 1

    # asyncpg's own keywords (timeout, column, record_class) pass through as they are.
    async def execute(self, query: str, *args: Any, **kw: Any) -> str:
        self._one()
        result: str = await super().execute(query, *args, **kw)
        return result

    async def executemany(self, command: str, args: Any, **kw: Any) -> None:
        self._one()
        await super().executemany(command, args, **kw)

    async def fetch(self, query: str, *args: Any, **kw: Any) -> Any:
        self._one()
        return await super().fetch(query, *args, **kw)

    async def fetchrow(self, query: str, *args: Any, **kw: Any) -> Any:
        self._one()
        return await super().fetchrow(query, *args, **kw)

    async def fetchval(self, query: str, *args: Any, **kw: Any) -> Any:
        self._one()
        return await super().fetchval(query, *args, **kw)
