"""Thermostat settings per zone: the default comfort/eco schedule unless set from outside."""

import numpy as np

from .arrays import BoolArray, FloatArray
from .spec import HomeSpec

MIN_C, MAX_C = 7.0, 30.0


class Thermostats:
    """Mode and setpoint of every zone; a manual setpoint replaces the schedule until resumed."""

    def __init__(self, spec: HomeSpec) -> None:
        self._spec = spec
        n = len(spec.zones)
        self.manual: list[float | None] = [None] * n
        self.heat: list[bool] = [True] * n

    def scheduled(self, local_hours: FloatArray) -> FloatArray:
        """Default setpoint at each local hour: comfort by day, eco at night."""
        s = self._spec
        comfort = (local_hours >= s.comfort_from_h) & (local_hours < s.comfort_until_h)
        return np.where(comfort, s.comfort_c, s.eco_c)

    def arrays(self, local_hours: FloatArray) -> tuple[FloatArray, BoolArray]:
        """(setpoint, heating enabled) per step and zone."""
        sched = self.scheduled(local_hours)
        setpoint = np.column_stack(
            [sched if m is None else np.full(len(local_hours), m) for m in self.manual]
        )
        mode = np.broadcast_to(np.array(self.heat), setpoint.shape).copy()
        return setpoint, mode

    def set_setpoint(self, zone: int, celsius: float | None) -> None:
        """Hold `celsius` (clamped to 7..30); None switches heating off."""
        if celsius is None:
            self.heat[zone] = False
            return
        self.manual[zone] = min(MAX_C, max(MIN_C, float(celsius)))
        self.heat[zone] = True


def bounds(
    setpoint: FloatArray, mode: BoolArray, hysteresis: float
) -> tuple[FloatArray, FloatArray]:
    """(switch-on below, keep heating below) thresholds; -inf where heating is off."""
    low = np.where(mode, setpoint - hysteresis, -np.inf)
    high = np.where(mode, setpoint, -np.inf)
    return low, high
