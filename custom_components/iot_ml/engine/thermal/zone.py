"""A zone's thermal model as the learner runs it: fit from its climate channels, read live.

The zone's climate entity gives the air temperature and whether it heats (``hvac_action``); the
home's outdoor channel gives the outdoor temperature. Without an outdoor sensor the model learns
its losses against a constant, which still tells heat-up rates and faults apart.
"""

from dataclasses import dataclass, field
import math

import numpy as np

from ..core.grid import SLOTS_PER_DAY
from ..core.state import JsonObject, read_state, write_state
from ..core.types import ChannelKind, ChannelSpec, FloatArray, Role
from .detect import FaultDetector, RapidDropDetector
from .model import ThermalModel, ThermalSeries, ThermalState, fit_thermal, state_at

STATE_VERSION = 1
CONTEXT_SLOTS = 2 * SLOTS_PER_DAY  # history behind a live state (the mass node's average)
NO_OUTDOOR_C = 10.0  # stand-in outdoor temperature when the home has no outdoor sensor


def climate_keys(specs: list[ChannelSpec]) -> tuple[str, str] | None:
    """(temperature, heating) channel keys of the zone's climate entity, if it has one."""
    temperature = next(
        (s.key for s in specs if s.role is Role.CLIMATE and s.kind is ChannelKind.NUMERIC), None
    )
    heating = next(
        (s.key for s in specs if s.role is Role.CLIMATE and s.kind is ChannelKind.BINARY), None
    )
    return None if temperature is None or heating is None else (temperature, heating)


def thermal_series(
    slots: dict[str, FloatArray],
    keys: tuple[str, str],
    start_slot: int,
    outdoor: FloatArray | None,
) -> ThermalSeries:
    """The zone's slot arrays as the thermal model reads them."""
    temperature, heating = (np.asarray(slots[k], dtype=np.float64) for k in keys)
    if outdoor is None or np.isnan(outdoor).all():
        outdoor = np.full(len(temperature), NO_OUTDOOR_C)
    return ThermalSeries(start_slot, temperature, heating, np.asarray(outdoor, dtype=np.float64))


def fit_zone_thermal(
    slots: dict[str, FloatArray],
    specs: list[ChannelSpec],
    end_slot: int,
    tz: str,
    outdoor: FloatArray | None,
) -> ThermalModel | None:
    """Fit the zone's thermal model; None without a climate entity or enough heating history."""
    keys = climate_keys(specs)
    if keys is None:
        return None
    n = len(slots[keys[0]])
    try:
        return fit_thermal(thermal_series(slots, keys, end_slot - n, outdoor), tz=tz)
    except ValueError:
        return None  # fewer than a day of usable hours so far


@dataclass(slots=True)
class ThermalWatch:
    """Live detectors of a zone: heating fault and the open-window (rapid drop) signature."""

    fault: FaultDetector = field(default_factory=FaultDetector)
    window: RapidDropDetector = field(default_factory=RapidDropDetector)
    last_slot: int | None = None  # newest closed slot already taken in

    def step(self, model: ThermalModel, series: ThermalSeries) -> None:
        """Take every slot of ``series`` (the newest closed ones) not seen yet."""
        n = len(series.temperature)
        # A fresh watch starts at the newest slot: old slots are history the model learned from.
        first = n - 1 if self.last_slot is None else max(1, self.last_slot + 1 - series.start_slot)
        for i in range(first, n):
            before = state_at(series, i - 1, model.tau_mass_h)
            t0, t1 = series.temperature[i - 1], series.temperature[i]
            expected_off = float(model.predict(before, np.zeros(1))[0]) - before.temperature
            on = float(np.nan_to_num(series.heating[i - 1], nan=0.0))
            self.fault.step(on, float(t1 - t0), expected_off, model.c("heat"))
            expected = float(model.predict(before, np.array([on]))[0]) - before.temperature
            self.window.step(float(t1 - t0), expected)
        self.last_slot = series.start_slot + n - 1

    def to_json(self) -> JsonObject:
        """Plain JSON."""
        return write_state(
            STATE_VERSION,
            fault=self.fault.to_json(),
            window=self.window.to_json(),
            last_slot=self.last_slot,
        )

    @classmethod
    def from_json(cls, data: JsonObject) -> ThermalWatch:
        """Inverse of ``to_json``; ``ValueError`` on another version or a malformed field."""
        data = read_state(
            data,
            "thermal watch state",
            STATE_VERSION,
            {"fault": dict, "window": dict, "last_slot": (int, None)},
        )
        last = data["last_slot"]
        return cls(
            fault=FaultDetector.from_json(data["fault"]),
            window=RapidDropDetector.from_json(data["window"]),
            last_slot=None if last is None else int(last),
        )


def live_state(model: ThermalModel, series: ThermalSeries) -> ThermalState | None:
    """The state at the newest slot of ``series``; None while the temperature is unknown."""
    state = state_at(series, len(series.temperature) - 1, model.tau_mass_h)
    return None if math.isnan(state.temperature) else state
