"""UpdateGate: past the limit one notice, then quiet until the resident slows down."""

from __future__ import annotations

from bot.services.flood import Pace, UpdateGate


def test_one_notice_then_quiet_until_they_slow_down() -> None:
    gate = UpdateGate(limit=3, window_seconds=10)
    assert [gate.hit(1, t * 0.1) for t in range(6)] == [
        Pace.OK,
        Pace.OK,
        Pace.OK,
        Pace.NOTICE,
        Pace.QUIET,
        Pace.QUIET,
    ]
    # Someone else is not affected.
    assert gate.hit(2, 0.6) is Pace.OK
    # Still fast: still quiet, and no second notice.
    assert gate.hit(1, 5.0) is Pace.QUIET
    # Slowed down (fewer than 4 in the last 10 s): answered again; a new flood, a new notice.
    assert gate.hit(1, 16.0) is Pace.OK
    assert [gate.hit(1, 16.0 + t * 0.1) for t in range(1, 5)] == [
        Pace.OK,
        Pace.OK,
        Pace.NOTICE,
        Pace.QUIET,
    ]


def test_verdicts_are_handed_over_once_by_update() -> None:
    gate = UpdateGate(limit=1, window_seconds=10)
    gate.arrived(7, update_id=100, now=0.0)
    gate.arrived(7, update_id=101, now=0.1)
    gate.arrived(7, update_id=102, now=0.2)
    assert [gate.verdict(u) for u in (100, 101, 102)] == [Pace.OK, Pace.NOTICE, Pace.QUIET]
    assert gate.verdict(101) is Pace.OK  # handed over already


def test_memory_stays_bounded() -> None:
    gate = UpdateGate(limit=2, window_seconds=1)
    for user in range(20_000):
        gate.hit(user, float(user))
    assert len(gate._seen) <= 10_001
