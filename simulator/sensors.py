"""Numeric sensors, all at once: periodic noisy readings, rounded, sent only when they change.

Readings of a whole segment are computed as arrays; sensor faults (stuck, spike, drift,
dropout) are applied to them before HA's "only real changes" filter.
"""

from collections.abc import Iterator
from dataclasses import dataclass
import math

import numpy as np

from .arrays import BoolArray, FloatArray
from .entities import HOUSE_POWER, OUTDOOR_TEMPERATURE, EntityCatalog, sensor_id
from .events import Pending
from .faults import DAY, FaultWindow
from .rng import stream
from .spec import HomeSpec

UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class NumericSensor:
    """One sensor entity reading column `column` of the value source `source`."""

    entity_id: str
    source: str  # temperature, humidity, illuminance, co2, heater_power, outdoor, house_power
    column: int
    period: int  # steps between readings
    phase: int
    offset_s: float  # the reading arrives this long after its step
    resolution: float
    noise: float
    relative_noise: float = 0.0
    low: float = -math.inf
    high: float = math.inf


class SensorBank:
    """All numeric sensors of a home, with what each last reported (NaN: unavailable)."""

    def __init__(self, spec: HomeSpec, seed: int, start: float, catalog: EntityCatalog) -> None:
        s = spec.sensors
        rng = stream(seed, "sensor-phases")
        self._start = start
        sensors: list[NumericSensor] = []

        def add(eid: str, source: str, col: int, period: int, **kw: float) -> None:
            phase = int(rng.integers(period))
            offset = float(rng.uniform(1.0, 5.0 if period == 1 else 59.0))  # meters are quick
            sensors.append(NumericSensor(eid, source, col, period, phase, offset, **kw))

        # fmt: off
        for i, zone in enumerate(spec.zones):
            z = zone.name
            add(sensor_id(z, "temperature"), "temperature", i, s.temperature_period,
                resolution=0.1, noise=s.temperature_noise)
            add(sensor_id(z, "humidity"), "humidity", i, s.humidity_period,
                resolution=1.0, noise=0.4, low=0.0, high=100.0)
            add(sensor_id(z, "illuminance"), "illuminance", i, s.illuminance_period,
                resolution=1.0, noise=0.3, relative_noise=0.03, low=0.0)
            if zone.co2_sensor:
                add(sensor_id(z, "co2"), "co2", i, s.co2_period, resolution=1.0, noise=10.0, low=350.0)
            add(sensor_id(z, "heater_power"), "heater_power", i, 1, resolution=1.0, noise=0.0)
        add(OUTDOOR_TEMPERATURE, "outdoor", 0, s.outdoor_period,
            resolution=0.1, noise=s.temperature_noise)
        add(HOUSE_POWER, "house_power", 0, s.power_period, resolution=1.0, noise=6.0, low=0.0)
        # fmt: on
        self.sensors = sensors
        self.index = {x.entity_id: j for j, x in enumerate(sensors)}
        self._rank = [catalog.rank[x.entity_id] for x in sensors]
        self._attrs = [catalog.static[x.entity_id] for x in sensors]
        self._last = np.full(len(sensors), np.nan)
        self._period = np.array([x.period for x in sensors])
        self._phase = np.array([x.phase for x in sensors])

    def noise(self, rng: np.random.Generator, steps: int) -> FloatArray:
        """Standard normal draws for a block (steps x sensors)."""
        return rng.standard_normal((steps, len(self.sensors)))

    def initial(self, values: dict[str, FloatArray]) -> list[tuple[str, str]]:
        """(entity_id, state) of every sensor from noise-free values at the start."""
        out = []
        for j, x in enumerate(self.sensors):
            v = _round(float(values[x.source][0, x.column]), x)
            self._last[j] = v
            out.append((x.entity_id, _format(v, x.resolution)))
        return out

    def report(
        self,
        k0: int,
        times: FloatArray,
        *,
        values: dict[str, FloatArray],
        noise: FloatArray,
        faults: list[FaultWindow],
        seq: Iterator[int],
    ) -> list[Pending]:
        """Readings that change a state, for steps k0.. at `times` (values: steps x columns)."""
        n = len(times)
        steps = k0 + np.arange(n)
        due = (steps[:, None] + self._phase[None, :]) % self._period[None, :] == 0
        raw = np.column_stack([values[x.source][:, x.column] for x in self.sensors])
        rel = np.array([x.relative_noise for x in self.sensors])
        absolute = np.array([x.noise for x in self.sensors])
        raw = raw * (1.0 + rel * noise) + absolute * noise
        for fault in faults:
            j = self.index.get(fault.target)
            if j is not None and fault.end > times[0] and fault.start < times[-1] + 60.0:
                self._apply(fault, j, steps=steps, times=times, raw=raw, due=due)
        out: list[Pending] = []
        at = times.tolist()
        for j, x in enumerate(self.sensors):
            rows = np.flatnonzero(due[:, j])
            if not rows.size:
                continue
            vals = _round_array(raw[rows, j], x)
            prev = np.concatenate(([self._last[j]], vals[:-1]))
            same = (vals == prev) | (np.isnan(vals) & np.isnan(prev))
            self._last[j] = vals[-1]
            fmt, off, eid, rank, attrs = (
                _fmt(x.resolution),
                x.offset_s,
                x.entity_id,
                self._rank[j],
                self._attrs[j],
            )
            out += [
                (at[r] + off, rank, next(seq), eid, UNAVAILABLE if math.isnan(v) else format(v, fmt), attrs)
                for r, v in zip(rows[~same].tolist(), vals[~same].tolist(), strict=True)
            ]  # fmt: skip
        return out

    def _first_step_at(self, ts: float) -> int:
        return math.ceil((ts - self._start) / 60.0 - 1e-9)

    def _apply(
        self,
        fault: FaultWindow,
        j: int,
        *,
        steps: np.ndarray,
        times: FloatArray,
        raw: FloatArray,
        due: BoolArray,
    ) -> None:
        """Change readings of sensor j in the segment as the fault dictates."""
        x = self.sensors[j]
        inside = (times >= fault.start) & (times < fault.end)
        if fault.kind == "drift":
            raw[inside, j] += fault.detail["c_per_day"] * (times[inside] - fault.start) / DAY
        elif fault.kind == "stuck" or (
            fault.kind == "dropout" and fault.detail["mode"] == "silent"
        ):
            due[inside, j] = False  # HA sees no change at all
        elif fault.kind == "dropout":
            raw[inside, j] = np.nan
            for edge in (fault.start, fault.end):  # announce at once, and come back at once
                due[steps == self._first_step_at(edge), j] = True
        elif fault.kind == "spike":
            k = self._first_step_at(fault.start)
            k += (-(k + x.phase)) % x.period  # the first regular reading in the window
            raw[steps == k, j] = fault.detail["value"]


def _round(v: float, x: NumericSensor) -> float:
    return float(_round_array(np.array([v]), x)[0])


def _round_array(v: FloatArray, x: NumericSensor) -> FloatArray:
    clipped = np.clip(v, x.low, x.high)
    return np.asarray(np.round(clipped / x.resolution) * x.resolution + 0.0, dtype=np.float64)


def _fmt(resolution: float) -> str:
    return ".1f" if resolution < 1 else ".0f"


def _format(v: float, resolution: float) -> str:
    return UNAVAILABLE if math.isnan(v) else format(v, _fmt(resolution))
