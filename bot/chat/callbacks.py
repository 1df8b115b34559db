"""Callback data: short, prefixed by flow, and never trusted on its own.

A button only says what the person claims to want; every handler checks again that the
thing exists, belongs to them and that they hold the role.
"""

from __future__ import annotations

MAX_BYTES = 64
SEPARATOR = ":"


def pack(*parts: str | int) -> str:
    """Join parts into callback data, refusing anything Telegram would refuse."""
    data = SEPARATOR.join(str(p) for p in parts)
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data must be 1-{MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None, prefix: str, count: int) -> list[str] | None:
    """Split callback data that starts with prefix into exactly count parts after it."""
    if not data:
        return None
    parts = data.split(SEPARATOR)
    if parts[0] != prefix or len(parts) != count + 1:
        return None
    return parts[1:]


def unpack_int(value: str) -> int | None:
    """Parse an id from callback data; forged data may hold anything."""
    if not value.isdigit() or len(value) > 18:
        return None
    return int(value)
