"""Ground truth at 1-minute resolution, accumulated as the home advances."""

from dataclasses import dataclass, field

import numpy as np

from .faults import FaultWindow

# Per-zone series (f"{name}.{zone}") and their dtypes.
ZONE_SERIES = {
    "occupied": np.int8,  # 0/1: anyone there (residents, guests, intruders)
    "occupants": np.int16,  # how many
    "temperature": np.float64,  # true air temperature, °C
    "heater_on": np.int8,  # 0/1: the heater delivers heat (not while broken)
    "heat_demand": np.int8,  # 0/1: the thermostat calls for heat
    "setpoint": np.float64,  # °C, NaN while heating is off
    "light": np.int8,  # 0/1
}
HOME_SERIES = {
    "t": np.float64,  # epoch seconds of each step
    "home_occupied": np.int8,  # anyone at home
    "residents_home": np.int8,  # any resident at home (not guests or intruders)
    "outdoor_temperature": np.float64,
}
# Per-resident: f"location.{name}" = zone index in HomeSpec.zones order, -1 away.
LOCATION = np.int8


@dataclass
class GroundTruth:
    """What really happened; `faults` lists injected faults that started so far."""

    zones: list[str]
    occupants: list[str]
    faults: list[FaultWindow] = field(default_factory=list)
    _parts: list[dict[str, np.ndarray]] = field(default_factory=list, repr=False)

    def append(self, part: dict[str, np.ndarray]) -> None:
        """Add the series of further steps (same keys as arrays())."""
        if len(part["t"]):
            self._parts.append(part)
        if len(self._parts) > 64:  # keep concatenation cheap for long live runs
            self._parts = [self.arrays()]

    def arrays(self) -> dict[str, np.ndarray]:
        """Every series, one value per simulated minute since the start."""
        if not self._parts:
            return {key: np.zeros(0, dtype=dtype) for key, dtype in self._dtypes().items()}
        if len(self._parts) > 1:
            self._parts = [{k: np.concatenate([p[k] for p in self._parts]) for k in self._parts[0]}]
        return {k: v.copy() for k, v in self._parts[0].items()}

    def _dtypes(self) -> dict[str, type]:
        out: dict[str, type] = dict(HOME_SERIES)
        for name, dtype in ZONE_SERIES.items():
            out |= {f"{name}.{z}": dtype for z in self.zones}
        out |= {f"location.{p}": LOCATION for p in self.occupants}
        return out

    def part(self, series: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Cast freshly computed series to the documented dtypes."""
        return {k: np.asarray(series[k], dtype=dtype) for k, dtype in self._dtypes().items()}
