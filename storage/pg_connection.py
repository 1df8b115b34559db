"""The connection protocol over one asyncpg connection, for the SQL the storage parts share.

The storage parts (``storage/sql_*.py``) write their statements once, in the placeholder
style sqlite3 takes; ``PgConnection`` runs them on PostgreSQL:

* ``?`` and ``:name`` placeholders become ``$1, $2, ...`` (a name used twice is one parameter);
  question marks and colons inside quotes and comments are left alone, and so is ``::``.
* ``insert`` appends ``RETURNING id`` (every generated key in the schema is ``id``).
* ``BEGIN IMMEDIATE`` is ``BEGIN``; PRAGMAs are SQLite's business and do nothing here.
* ``executemany`` runs the statement once per row and counts the rows it changed (an
  ``ON CONFLICT DO NOTHING`` that did nothing counts zero), as sqlite3 does.
* asyncpg's ``Record`` already reads by name and by position and turns into a dict.

Translations are cached per statement text; asyncpg caches the prepared statements.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage.connection import Connection, Params, Row

if TYPE_CHECKING:
    import asyncpg

_RETURNS_ROWS = re.compile(r"^\s*(SELECT|WITH|VALUES|SHOW)\b|\bRETURNING\b", re.IGNORECASE)
_PRAGMA = re.compile(r"^\s*PRAGMA\b", re.IGNORECASE)
_BEGIN_IMMEDIATE = re.compile(r"^\s*BEGIN\s+IMMEDIATE\s*$", re.IGNORECASE)
_CHANGES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CACHE_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class Translated:
    """A statement in PostgreSQL's placeholder style."""

    sql: str
    names: tuple[str, ...] | None
    """The parameter names in $n order for ``:name`` statements; None for ``?`` ones."""
    returns_rows: bool
    changes: bool = False
    """True for INSERT, UPDATE and DELETE: their rows (or row count) are changed rows."""
    skip: bool = False
    """True for statements that mean nothing on PostgreSQL (PRAGMAs)."""

    def arguments(self, params: Any) -> list[Any]:
        """The values in $n order."""
        if params is None:
            return []
        if self.names is not None:
            if not isinstance(params, Mapping):
                raise TypeError("a statement with :names needs a mapping of parameters")
            return [params[name] for name in self.names]
        if isinstance(params, Mapping):
            raise TypeError("a statement with ? placeholders needs a sequence of parameters")
        return list(params)


def _code_only(sql: str) -> str:
    """The statement with quoted text and comments blanked out, for keyword checks."""
    return _scan(sql, lambda _kind, _name: "?", keep_text=False)[0]


def _scan(sql: str, placeholder: Any, *, keep_text: bool = True) -> tuple[str, bool]:
    """Walk the statement; replace each placeholder by placeholder(kind, name).

    Quoted text and comments are copied as they are (keep_text) or left out.
    """
    out: list[str] = []
    i = 0
    n = len(sql)
    found_named = False
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            end = i + 1
            while True:
                end = sql.find(ch, end)
                if end == -1:
                    end = n
                    break
                if end + 1 < n and sql[end + 1] == ch:  # a doubled quote stays inside
                    end += 2
                    continue
                end += 1
                break
            out.append(sql[i:end] if keep_text else " ")
            i = end
            continue
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end == -1 else end
            out.append(sql[i:end] if keep_text else " ")
            i = end
            continue
        if sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end == -1 else end + 2
            out.append(sql[i:end] if keep_text else " ")
            i = end
            continue
        if ch == "?":
            out.append(placeholder("?", None))
            i += 1
            continue
        if ch == ":":
            if sql.startswith("::", i):
                out.append("::")
                i += 2
                continue
            match = _NAME.match(sql, i + 1)
            if match is not None:
                found_named = True
                out.append(placeholder(":", match.group(0)))
                i = match.end()
                continue
        out.append(ch)
        i += 1
    return "".join(out), found_named


def translate(sql: str) -> Translated:
    """Turn a statement written for sqlite3 into one asyncpg runs."""
    if _PRAGMA.match(sql):
        return Translated(sql, None, returns_rows=True, skip=True)
    if _BEGIN_IMMEDIATE.match(sql):
        return Translated("BEGIN", None, returns_rows=False)
    positional = 0
    names: list[str] = []
    kinds: set[str] = set()

    def placeholder(kind: str, name: str | None) -> str:
        nonlocal positional
        kinds.add(kind)
        if kind == "?":
            positional += 1
            return f"${positional}"
        assert name is not None
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    text, _ = _scan(sql, placeholder)
    if len(kinds) > 1:
        raise ValueError("a statement mixes ? and :name placeholders")
    code = _code_only(sql)
    returns_rows = _RETURNS_ROWS.search(code) is not None
    changes = _CHANGES.match(code) is not None
    return Translated(text, tuple(names) if ":" in kinds else None, returns_rows, changes)


_translated: dict[str, Translated] = {}


def statement(sql: str) -> Translated:
    """The cached translation of a statement."""
    found = _translated.get(sql)
    if found is None:
        if len(_translated) >= _CACHE_LIMIT:
            _translated.clear()
        found = _translated[sql] = translate(sql)
    return found


def changed_rows(status: str) -> int:
    """The row count of a command tag such as ``UPDATE 3`` or ``INSERT 0 1``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PgConnection(Connection):
    """One asyncpg connection behind the connection protocol."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.raw = conn

    async def _rows(self, translated: Translated, params: Any) -> list[Row]:
        if translated.skip:
            return []
        args = translated.arguments(params)
        if translated.returns_rows:
            return list(await self.raw.fetch(translated.sql, *args))
        await self.raw.execute(translated.sql, *args)
        return []

    async def _changed(self, translated: Translated, params: Any) -> int:
        if translated.skip:
            return 0
        args = translated.arguments(params)
        if translated.returns_rows:
            return len(await self.raw.fetch(translated.sql, *args))
        return changed_rows(await self.raw.execute(translated.sql, *args))

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._rows(statement(sql), params)

    async def execute(self, sql: str, params: Params = ()) -> int:
        return await self._changed(statement(sql), params)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        translated = statement(sql)
        total = 0
        for params in rows:
            total += await self._changed(translated, params)
        return total

    async def insert(self, sql: str, params: Params = ()) -> int:
        row = await self.fetch_one(sql + " RETURNING id", params)
        assert row is not None
        return int(row["id"])

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        await self.raw.execute("BEGIN")
        try:
            yield
            await self.raw.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(Exception):
                await self.raw.execute("ROLLBACK")
            raise

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[None]:
        await self.raw.execute("BEGIN")
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                await self.raw.execute("COMMIT")
