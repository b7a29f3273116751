"""Shared runs of the virtual home (computed once per test session)."""

from dataclasses import dataclass
from datetime import datetime
import time
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from simulator import GroundTruth, StateChange, VirtualHome, default_home

START = datetime.fromisoformat("2026-01-05T00:00:00+00:00").timestamp()  # a Monday
DAY = 86400.0
BERLIN = ZoneInfo("Europe/Berlin")  # default_home()'s time zone


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override tests/conftest.py's: the simulator needs no Home Assistant instance."""


@dataclass
class Run:
    """A finished simulation with handy views of its ground truth."""

    home: VirtualHome
    initial: list[StateChange]
    events: list[StateChange]
    truth: GroundTruth
    arrays: dict[str, np.ndarray]
    seconds: float

    def local(self) -> tuple[np.ndarray, np.ndarray]:
        """Local hour (float) and weekday of every truth minute."""
        t = self.arrays["t"]
        hour = np.empty(len(t))
        weekday = np.empty(len(t), dtype=int)
        for i in range(0, len(t), 60):  # the offset is constant within an hour
            moment = datetime.fromtimestamp(t[i], BERLIN)
            hour[i : i + 60] = moment.hour + (t[i : i + 60] - t[i]) / 3600 + moment.minute / 60
            weekday[i : i + 60] = moment.weekday()
        return hour, weekday

    def of(self, entity_id: str) -> list[StateChange]:
        """Changes of one entity, initial state first."""
        return [e for e in self.initial + self.events if e.entity_id == entity_id]


def run(days: float, seed: int = 1, **spec_changes: object) -> Run:
    """Simulate the default home (with `spec_changes`) from START."""
    spec = default_home()
    for key, value in spec_changes.items():
        setattr(spec, key, value)
    began = time.perf_counter()
    home = VirtualHome(spec, seed, START)
    initial = home.initial_states()
    events = home.advance(START + days * DAY)
    seconds = time.perf_counter() - began
    return Run(home, initial, events, home.truth, home.truth.arrays(), seconds)


@pytest.fixture(scope="session")
def eight_weeks() -> Run:
    """The standard 8-week run with faults (timed)."""
    return run(56)


def on_intervals(changes: list[StateChange], on: str, until: float) -> list[tuple[float, float]]:
    """(start, end) spans during which the entity's state was `on`."""
    spans, since = [], None
    for change in changes:
        if change.state == on and since is None:
            since = change.ts
        elif change.state != on and since is not None:
            spans.append((since, change.ts))
            since = None
    if since is not None:
        spans.append((since, until))
    return spans


def mask_of(times: np.ndarray, spans: list[tuple[float, float]]) -> np.ndarray:
    """Whether each time lies inside one of the spans."""
    mask = np.zeros(len(times), dtype=bool)
    for a, b in spans:
        mask |= (times >= a) & (times < b)
    return mask
