"""Open-window drops and heating (or cooling) faults, on closed slots.

Both are small state machines whose state is plain JSON, so a restart keeps what they saw.
"""

from dataclasses import dataclass
import math
from typing import Any

import numpy as np

from ..core.grid import SLOT_SECONDS, SLOTS_PER_HOUR
from ..core.types import FloatArray

DROP_C = 0.5  # fall over DROP_SLOTS that heat loss alone never causes indoors
DROP_SLOTS = 2
RECOVERY_SLOTS = SLOTS_PER_HOUR  # after a window closes the air needs about an hour
FAULT_MINUTES = 90.0  # the heater must have run this long with too little effect
FAULT_RATIO = 0.3  # ... delivering less than this share of the learned effect
CLEAR_RATIO = 0.6
FAULT_HALF_LIFE_MIN = 120.0  # evidence fades: a fault is about the last few hours


def flag_rapid_drops(
    temperature: FloatArray,
    drop_c: float = DROP_C,
    span: int = DROP_SLOTS,
    recovery: int = RECOVERY_SLOTS,
) -> FloatArray:
    """1.0 for slots of an open-window signature: a fall of ``drop_c`` within ``span`` slots,
    and the ``recovery`` slots after it (gaps never trigger, they only break the comparison)."""
    n = len(temperature)
    flags = np.zeros(n)
    if n <= 1:
        return flags
    fall = np.full(n, np.nan)
    for k in range(1, span + 1):
        drop = np.full(n, np.nan)
        drop[k:] = temperature[:-k] - temperature[k:]
        fall = np.fmax(fall, drop)
    starts = np.flatnonzero(np.nan_to_num(fall, nan=0.0) >= drop_c)
    for s in starts.tolist():
        flags[max(0, s - span) : s + recovery + 1] = 1.0
    return flags


@dataclass(slots=True)
class RapidDropDetector:
    """Live open-window signature on closed slots: the air falls ``drop_c`` further within
    ``span`` slots than the learned model expects for the heating it had (a setback's cooling
    is expected, an airing is not), then holds for ``recovery`` slots."""

    drop_c: float = DROP_C
    span: int = DROP_SLOTS
    recovery: int = RECOVERY_SLOTS
    residuals: tuple[float, ...] = ()  # observed minus expected change, newest last
    remaining: int = 0  # slots the flag still holds

    def step(self, change: float, expected: float) -> bool:
        """Take a slot's temperature ``change`` and the change the model ``expected`` (NaN:
        unknown); True while the drop signature holds."""
        self.remaining = max(0, self.remaining - 1)
        residual = change - expected
        self.residuals = (*self.residuals, residual)[-self.span :]
        if not math.isnan(residual):
            fall, total = 0.0, 0.0
            for r in reversed(self.residuals):
                if math.isnan(r):
                    break  # gaps never trigger, they only break the comparison
                total += r
                fall = max(fall, -total)
            if fall >= self.drop_c:
                self.remaining = self.recovery + 1
        return self.remaining > 0

    @property
    def open(self) -> bool:
        """Whether the last slot looked like an open window."""
        return self.remaining > 0

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (NaN as None)."""
        return {
            "drop_c": self.drop_c,
            "span": self.span,
            "recovery": self.recovery,
            "residuals": [None if math.isnan(r) else r for r in self.residuals],
            "remaining": self.remaining,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RapidDropDetector:
        """Inverse of ``to_json``; a state saved before residuals (raw temperatures under
        ``recent``) starts with no recent slots."""
        return cls(
            drop_c=float(data["drop_c"]),
            span=int(data["span"]),
            recovery=int(data["recovery"]),
            residuals=tuple(math.nan if r is None else float(r) for r in data.get("residuals", ())),
            remaining=int(data["remaining"]),
        )


@dataclass(slots=True)
class FaultDetector:
    """Heating (or cooling) that runs but barely moves the temperature, for long enough.

    Per slot it takes how much the heater was on and two temperature changes: the observed one
    and the one the thermal model expects with the heater off. The difference is what the
    heater really did; it is compared with what it did when learned (``gain`` x on x slot).
    Evidence decays with a two-hour half-life, so short heating bursts never decide alone.
    """

    direction: float = 1.0  # +1 heating, -1 cooling
    min_minutes: float = FAULT_MINUTES
    ratio: float = FAULT_RATIO
    on_minutes: float = 0.0
    observed: float = 0.0
    expected: float = 0.0
    fault: bool = False

    def step(
        self, on: float, observed_change: float, expected_off_change: float, gain_c_per_h: float
    ) -> bool:
        """Take one closed slot; returns whether the fault is (still) raised.

        ``on`` 0..1, changes in °C over the slot, ``gain_c_per_h`` the learned full-power effect
        (positive for heating, negative for cooling). NaN changes only age the evidence.
        """
        decay = 0.5 ** (SLOT_SECONDS / 60.0 / FAULT_HALF_LIFE_MIN)
        self.on_minutes *= decay
        self.observed *= decay
        self.expected *= decay
        usable = on > 0 and not math.isnan(observed_change + expected_off_change)
        if usable and gain_c_per_h * self.direction > 0:
            self.on_minutes += on * SLOT_SECONDS / 60.0
            self.observed += self.direction * (observed_change - expected_off_change)
            self.expected += self.direction * gain_c_per_h * on * SLOT_SECONDS / 3600.0
        if self.expected > 0:
            share = self.observed / self.expected
            if share < self.ratio and self._long_enough():
                self.fault = True
            elif share >= CLEAR_RATIO:
                self.fault = False
        return self.fault

    def _long_enough(self) -> bool:
        # The decayed sum of a heater on without a break for ``min_minutes``.
        slot_min = SLOT_SECONDS / 60.0
        decay = 0.5 ** (slot_min / FAULT_HALF_LIFE_MIN)
        steps = self.min_minutes / slot_min
        return bool(self.on_minutes >= slot_min * (1 - decay**steps) / (1 - decay) - 1e-9)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON."""
        return {
            "direction": self.direction,
            "min_minutes": self.min_minutes,
            "ratio": self.ratio,
            "on_minutes": self.on_minutes,
            "observed": self.observed,
            "expected": self.expected,
            "fault": self.fault,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultDetector:
        """Inverse of ``to_json``."""
        return cls(
            direction=float(data["direction"]),
            min_minutes=float(data["min_minutes"]),
            ratio=float(data["ratio"]),
            on_minutes=float(data["on_minutes"]),
            observed=float(data["observed"]),
            expected=float(data["expected"]),
            fault=bool(data["fault"]),
        )
