"""Fault injection for the Bot API side of the playground: a bad day at Telegram, on purpose.

Three kinds of failure, each drawn per call with its own rate:

* ``error``: the call is answered 502 Bad Gateway before anything happens (Telegram's front
  could not reach its back end); trying again is safe.
* ``stall``: the call hangs for ``stall`` seconds before it is carried out. A client that
  gives up earlier closes the connection and the call is dropped, never carried out (the
  server cancels the handler); a patient client gets its answer late.
* ``lost``: the call is carried out, but its answer is replaced by a 502: the client cannot
  know that it worked, and a retry does it twice.

The draws come from one seeded random generator, so a run can be repeated. Only the methods
named in ``methods`` are affected (all when empty). Counters say what was injected.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from playground.errors import ControlError

KINDS = ("error", "stall", "lost")


@dataclass
class Faults:
    """The fault settings in force and what they injected so far."""

    error_rate: float = 0.0
    stall_rate: float = 0.0
    lost_rate: float = 0.0
    stall: float = 10.0
    methods: frozenset[str] = frozenset()
    seed: int | None = None
    injected: Counter[str] = field(default_factory=Counter)
    _random: random.Random = field(default_factory=random.Random, repr=False)

    @property
    def active(self) -> bool:
        """Whether any fault can happen."""
        return self.error_rate > 0 or self.stall_rate > 0 or self.lost_rate > 0

    def draw(self, method: str) -> str | None:
        """The fault for this call: "error", "stall", "lost" or None."""
        if not self.active or (self.methods and method not in self.methods):
            return None
        roll = self._random.random()
        for kind, rate in (
            ("error", self.error_rate),
            ("stall", self.stall_rate),
            ("lost", self.lost_rate),
        ):
            if roll < rate:
                self.injected[kind] += 1
                self.injected[f"{kind}:{method}"] += 1
                return kind
            roll -= rate
        return None

    def as_json(self) -> dict[str, Any]:
        """Settings and counters, as GET /control/faults shows them."""
        return {
            "error_rate": self.error_rate,
            "stall_rate": self.stall_rate,
            "lost_rate": self.lost_rate,
            "stall": self.stall,
            "methods": sorted(self.methods),
            "seed": self.seed,
            "injected": dict(self.injected),
        }


def _rate(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ControlError(f'"{key}" must be a number from 0 to 1')
    return float(value)


def configure(current: Faults, changes: dict[str, Any]) -> Faults:
    """New fault settings from a control request; counters start again from zero."""
    known = {"error_rate", "stall_rate", "lost_rate", "stall", "methods", "seed"}
    unknown = set(changes) - known
    if unknown:
        raise ControlError(f"unknown fault settings: {', '.join(sorted(unknown))}")
    error = _rate(changes.get("error_rate", current.error_rate), "error_rate")
    stall_rate = _rate(changes.get("stall_rate", current.stall_rate), "stall_rate")
    lost = _rate(changes.get("lost_rate", current.lost_rate), "lost_rate")
    if error + stall_rate + lost > 1:
        raise ControlError("the fault rates add up to more than 1")
    stall = changes.get("stall", current.stall)
    if isinstance(stall, bool) or not isinstance(stall, int | float) or not 0 < stall <= 600:
        raise ControlError('"stall" must be a number of seconds, more than 0 and at most 600')
    methods = changes.get("methods", sorted(current.methods))
    if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
        raise ControlError('"methods" must be a list of method names')
    seed = changes.get("seed", current.seed)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ControlError('"seed" must be an integer or null')
    return Faults(
        error_rate=error,
        stall_rate=stall_rate,
        lost_rate=lost,
        stall=float(stall),
        methods=frozenset(methods),
        seed=seed,
        _random=random.Random(seed),
    )
