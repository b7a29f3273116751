"""People on the minute grid: who is where, awake or asleep, and when they come and go."""

from dataclasses import dataclass

import numpy as np

from .arrays import BoolArray, FloatArray, IntArray
from .timeline import ACTIVITY_CODES, AWAY, COOK, SHOWER, SLEEP, WORK, Stay


@dataclass(frozen=True)
class Track:
    """One person's stays as arrays (sorted, contiguous over the span they cover)."""

    starts: FloatArray
    ends: FloatArray
    zones: IntArray
    activities: IntArray

    @staticmethod
    def of(stays: list[Stay]) -> Track:
        """Arrays of `stays`, merging neighbours with the same zone and activity."""
        merged: list[Stay] = []
        for stay in stays:
            last = merged[-1] if merged else None
            if last and last.zone == stay.zone and last.activity == stay.activity:
                merged[-1] = Stay(last.zone, last.start, stay.end, last.activity)
            else:
                merged.append(stay)
        return Track(
            starts=np.array([s.start for s in merged], dtype=np.float64),
            ends=np.array([s.end for s in merged], dtype=np.float64),
            zones=np.array([s.zone for s in merged], dtype=np.int64),
            activities=np.array([ACTIVITY_CODES[s.activity] for s in merged], dtype=np.int64),
        )

    def sample(self, times: FloatArray) -> tuple[IntArray, IntArray]:
        """Zone (AWAY outside the track) and activity code at each time."""
        idx = np.searchsorted(self.starts, times, side="right") - 1
        safe = np.clip(idx, 0, len(self.starts) - 1)
        inside = (idx >= 0) & (times < self.ends[safe])
        return np.where(inside, self.zones[safe], AWAY), np.where(inside, self.activities[safe], 0)

    def comings_and_goings(self, t0: float, t1: float) -> list[tuple[float, bool]]:
        """(time, arrived) for each crossing of the front door in [t0, t1)."""
        away = self.zones == AWAY
        crossed = np.flatnonzero(away[1:] != away[:-1]) + 1
        return [
            (float(self.starts[j]), bool(away[j - 1])) for j in crossed if t0 <= self.starts[j] < t1
        ]


@dataclass(frozen=True)
class Occupancy:
    """Counts per step (rows) and zone (columns)."""

    people: IntArray  # everyone: residents, guests, intruders
    awake: IntArray
    asleep: IntArray
    lighting: BoolArray  # awake residents or guests (intruders keep lights off)
    shower: BoolArray
    cooking: BoolArray
    working: BoolArray
    resident_zone: IntArray  # (residents, steps): zone index or AWAY
    residents_home: BoolArray
    home: BoolArray


def sample_occupancy(
    residents: list[Track],
    others: list[Track],
    intruders: list[Track],
    times: FloatArray,
    zones: int,
) -> Occupancy:
    """Occupancy of every zone at each step time."""
    n = len(times)
    shape = (n, zones)
    awake, asleep = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
    lighting = np.zeros(shape, np.bool_)
    shower, cooking, working = (np.zeros(shape, np.bool_) for _ in range(3))
    rows = np.arange(n)
    resident_zone = np.full((len(residents), n), AWAY, dtype=np.int64)
    thief = len(residents) + len(others)
    for i, track in enumerate([*residents, *others, *intruders]):
        zone, act = track.sample(times)
        if i < len(residents):
            resident_zone[i] = zone
        here = zone != AWAY
        r, z, a = rows[here], zone[here], act[here]
        sleeping = a == ACTIVITY_CODES[SLEEP]
        np.add.at(asleep, (r[sleeping], z[sleeping]), 1)
        np.add.at(awake, (r[~sleeping], z[~sleeping]), 1)
        if i < thief:
            lighting[r[~sleeping], z[~sleeping]] = True
        shower[r[a == ACTIVITY_CODES[SHOWER]], z[a == ACTIVITY_CODES[SHOWER]]] = True
        cooking[r[a == ACTIVITY_CODES[COOK]], z[a == ACTIVITY_CODES[COOK]]] = True
        working[r[a == ACTIVITY_CODES[WORK]], z[a == ACTIVITY_CODES[WORK]]] = True
    people = awake + asleep
    return Occupancy(
        people=people,
        awake=awake,
        asleep=asleep,
        lighting=lighting,
        shower=shower,
        cooking=cooking,
        working=working,
        resident_zone=resident_zone,
        residents_home=(resident_zone != AWAY).any(axis=0),
        home=people.sum(axis=1) > 0,
    )
