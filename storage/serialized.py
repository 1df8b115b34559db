"""What a write transaction reads and then changes, counting on no other writer meanwhile.

On SQLite that holds by itself: there is one writer. On PostgreSQL writes run at once, so a
write that names one of these first takes a lock on it (``storage/postgres.py``).
"""

from __future__ import annotations

from enum import Enum


class Serialized(Enum):
    """One kind of thing that at most one write at a time may read and change."""

    MEMBERSHIPS = "table memberships: capacity and waiting-list order"
    CARD = "a table card and its digest"
    DECISION = "a note's moderation decision"
    GRANT = "a role grant's revocation"
