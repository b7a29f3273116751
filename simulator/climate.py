"""Climate entities: mode, setpoint, hvac_action and the thermostat's own temperature reading."""

from collections.abc import Iterator
from typing import Any

import numpy as np

from .arrays import BoolArray, FloatArray
from .entities import EntityCatalog, climate_id
from .events import Pending
from .rng import stream
from .spec import HomeSpec

ACTIONS = ("off", "idle", "heating")
type ClimateState = tuple[float, str, str, dict[str, Any]]  # (ts, entity_id, state, attributes)


class ClimateReporter:
    """Turns per-step thermostat arrays into climate state changes (one per real change)."""

    def __init__(self, spec: HomeSpec, catalog: EntityCatalog, seed: int) -> None:
        n = len(spec.zones)
        self._ids = [climate_id(z.name) for z in spec.zones]
        self._catalog = catalog
        self._rank = [catalog.rank[eid] for eid in self._ids]
        self._period = spec.sensors.temperature_period
        self._phase = stream(seed, "climate-phases").integers(self._period, size=n)
        # What HA shows now, per zone: heating enabled, setpoint, action code, current temp.
        self.mode = np.ones(n, dtype=np.bool_)
        self.setpoint = np.zeros(n)
        self.action = np.zeros(n, dtype=np.int64)
        self.current = np.zeros(n)

    def state(self, zone: int, ts: float) -> ClimateState:
        """The zone's climate state as last reported."""
        attrs = self._catalog.attributes(self._ids[zone])
        attrs["current_temperature"] = float(self.current[zone])
        attrs["temperature"] = float(self.setpoint[zone])
        attrs["hvac_action"] = ACTIONS[int(self.action[zone])]
        return ts, self._ids[zone], "heat" if self.mode[zone] else "off", attrs

    def reset(
        self, mode: BoolArray, setpoint: FloatArray, demand: BoolArray, air: FloatArray
    ) -> None:
        """Set what is shown now, without reporting (start and commands)."""
        self.mode, self.setpoint = mode.copy(), setpoint.copy()
        self.action = np.where(mode, np.where(demand, 2, 1), 0)
        self.current = np.round(air, 1) + 0.0

    def report(
        self,
        k0: int,
        times: FloatArray,
        *,
        mode: BoolArray,
        setpoint: FloatArray,
        demand: BoolArray,
        air: FloatArray,
        seq: Iterator[int],
    ) -> list[Pending]:
        """Changes over steps k0.. (arrays: steps x zones); readings every temperature period."""
        n, zones = mode.shape
        rows = np.arange(n)[:, None]
        due = (k0 + rows + self._phase[None, :]) % self._period == 0
        seen = np.maximum.accumulate(np.where(due, rows, -1), axis=0)
        sampled = np.round(air, 1) + 0.0
        cols = np.arange(zones)[None, :]
        current = np.where(seen >= 0, sampled[np.clip(seen, 0, None), cols], self.current[None, :])
        action = np.where(mode, np.where(demand, 2, 1), 0)
        changed = np.zeros((n, zones), dtype=np.bool_)
        for now, before in (
            (mode, self.mode),
            (setpoint, self.setpoint),
            (action, self.action),
            (current, self.current),
        ):
            changed |= now != np.vstack([before[None, :], now[:-1]])
        self.mode, self.setpoint = mode[-1].copy(), setpoint[-1].copy()
        self.action, self.current = action[-1].copy(), current[-1].copy()
        out: list[Pending] = []
        at = times.tolist()
        for i, z in zip(*np.nonzero(changed), strict=True):
            eid = self._ids[z]
            attrs = self._catalog.attributes(eid)
            attrs["current_temperature"] = float(current[i, z])
            attrs["temperature"] = float(setpoint[i, z])
            attrs["hvac_action"] = ACTIONS[int(action[i, z])]
            state = "heat" if mode[i, z] else "off"
            out.append((at[i], self._rank[z], next(seq), eid, state, attrs))
        return out
