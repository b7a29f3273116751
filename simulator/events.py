"""State changes as Home Assistant would record them."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class StateChange:
    """One state write that changed an entity's state or attributes (HA drops the others)."""

    ts: float
    entity_id: str
    state: str
    attributes: dict[str, Any]


# Internal form of a not yet emitted change: (ts, entity rank, sequence, entity_id, state, attributes).
# Sorting by (ts, rank) gives the same order however `advance` is chunked; seq only breaks exact ties.
type Pending = tuple[float, int, int, str, str, dict[str, Any]]


class Tiebreak:
    """0, 1, 2, ...: like ``itertools.count()``, but a home holding one can be deep-copied
    (benchmarks fork a simulated home to run several policies from one history)."""

    def __init__(self) -> None:
        self._next = 0

    def __iter__(self) -> Tiebreak:
        return self

    def __next__(self) -> int:
        self._next += 1
        return self._next - 1
