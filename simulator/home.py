"""The virtual home: plans each day in bulk, steps the heating minute by minute, and reports
the state changes Home Assistant would see."""

import bisect
import gc
import math
from operator import itemgetter
from typing import Any

import numpy as np

from .arrays import BoolArray, FloatArray
from .block import STEPS, BlockBuilder, BlockPlan
from .climate import ClimateReporter
from .clock import LocalClock
from .entities import EntityCatalog, light_id, tracker_id, tv_id, window_id
from .events import Pending, StateChange, Tiebreak
from .faults import FaultSchedule, FaultWindow
from .lights import DARK_LUX, latch
from .readings import sensor_values
from .routine import RoutinePlanner
from .sensors import SensorBank
from .spec import HomeSpec
from .thermal import ThermalModel
from .thermostat import Thermostats, bounds
from .timeline import AWAY
from .truth import GroundTruth
from .vacations import VacationCalendar

STEP_S = 60.0
HVAC_MODES = ("heat", "off")


class VirtualHome:
    """A deterministic simulated home; `advance` returns what HA would see change."""

    _x: FloatArray  # heat-balance state at the next step: air and mass temperatures
    _demand: BoolArray  # thermostats calling for heat
    _lights: BoolArray

    def __init__(
        self, spec: HomeSpec, seed: int, start: float, *, faults: bool | None = None
    ) -> None:
        """A home whose history begins at epoch `start`; `faults` overrides `spec.faults`."""
        self.spec = spec
        self.seed = seed
        self.start = float(start)
        self.now = self.start
        self.zones = spec.zone_names
        self.catalog = EntityCatalog(spec)
        self._clock = LocalClock(spec.time_zone)
        self._thermal = ThermalModel(spec, STEP_S)
        self._thermostats = Thermostats(spec)
        vacations = VacationCalendar(seed, self._clock.date_of(self.start), spec.vacations)
        enabled = spec.faults if faults is None else faults
        self._faults = FaultSchedule(
            spec, seed, self.start, clock=self._clock, vacations=vacations, enabled=enabled
        )
        planner = RoutinePlanner(spec, seed, self._clock, vacations, self._faults)
        self._bank = SensorBank(spec, seed, self.start, self.catalog)
        self._climate = ClimateReporter(spec, self.catalog, seed)
        self._builder = BlockBuilder(
            spec,
            seed,
            self.start,
            clock=self._clock,
            planner=planner,
            faults=self._faults,
            thermal=self._thermal,
            thermostats=self._thermostats,
            bank=self._bank,
        )
        self.truth = GroundTruth(spec.zone_names, [p.name for p in spec.occupants])
        self._k = 0  # next step to simulate
        self._seq = Tiebreak()  # tie-break for equal (ts, entity rank)
        self._pending: list[Pending] = []
        self._commands: list[Pending] = []
        self._last: dict[str, tuple[str, dict[str, Any], float]] = {}  # state, attrs, since
        self._light_attrs = {
            (z, on): {**self.catalog.static[light_id(z)], "color_mode": "onoff" if on else None}
            for z in self.zones
            for on in (False, True)
        }
        self._block = self._new_block(0)
        self._initial = self._start_state()

    # -- public API ------------------------------------------------------------------------

    def initial_states(self) -> list[StateChange]:
        """Every entity's state at `start`."""
        return list(self._initial)

    def advance(self, until: float) -> list[StateChange]:
        """Simulate the 60 s steps before `until`; the state changes up to it, oldest first.

        Changes caused by set_* calls come first, stamped with the time of the call."""
        # Hundreds of thousands of small objects: the cyclic GC would rescan them over and over
        # (nothing here makes reference cycles), so pause it for the bulk work.
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._advance(max(float(until), self.now))
        finally:
            if paused:
                gc.enable()

    def _advance(self, until: float) -> list[StateChange]:
        out = self._dedupe(self._commands)
        self._commands = []
        k_stop = self._first_step_at(until)
        while self._k < k_stop:
            block = self._block
            if self._k >= block.k0 + STEPS:
                block = self._block = self._new_block(block.index + 1)
            i0 = self._k - block.k0
            i1 = min(STEPS, k_stop - block.k0)
            self._physics(block, i0, i1)
            self._report(block, i0, i1)
            self._k = block.k0 + i1
            out += self._emit(self._time(self._k))
        out += self._emit(until)
        self.now = until
        self.truth.faults = self._faults.upto(until)
        return out

    def set_heating_setpoint(self, zone: str, celsius: float | None) -> None:
        """Hold `celsius` in `zone` (instead of the schedule); None switches heating off."""
        z = self.spec.zone_index(zone)
        self._thermostats.set_setpoint(z, celsius)
        self._retune(z)

    def set_hvac_mode(self, zone: str, mode: str) -> None:
        """Switch heating "heat" (at the last setpoint) or "off"."""
        z = self.spec.zone_index(zone)
        if str(mode) not in HVAC_MODES:
            raise ValueError(f"hvac mode must be one of {HVAC_MODES}, not {mode!r}")
        self._thermostats.heat[z] = str(mode) == "heat"
        self._retune(z)

    def resume_schedule(self, zone: str) -> None:
        """Back to the default schedule (comfort by day, eco at night), heating on."""
        z = self.spec.zone_index(zone)
        self._thermostats.manual[z] = None
        self._thermostats.heat[z] = True
        self._retune(z)

    def set_light(self, entity_id: str, on: bool) -> None:
        """Switch a light; occupants may switch it back (on when dark and present, off leaving)."""
        zone = entity_id.removeprefix("light.")
        if not entity_id.startswith("light.") or zone not in self.zones:
            raise ValueError(f"unknown light {entity_id!r}")
        z = self.spec.zone_index(zone)
        self._lights[z] = bool(on)
        self._command(light_id(zone), "on" if on else "off", self._light_attrs[(zone, bool(on))])

    def setpoint(self, zone: str) -> float | None:
        """The setpoint in force in `zone` (None while heating is off)."""
        z = self.spec.zone_index(zone)
        return float(self._climate.setpoint[z]) if self._thermostats.heat[z] else None

    def states(self) -> dict[str, StateChange]:
        """The latest change of every entity, as HA shows it after the last `advance`."""
        return {
            eid: StateChange(since, eid, state, dict(attrs))
            for eid, (state, attrs, since) in self._last.items()
        }

    @property
    def entity_ids(self) -> list[str]:
        """All entity ids of the home."""
        return list(self.catalog.ids)

    @property
    def faults(self) -> list[FaultWindow]:
        """Injected faults that started so far (as in `truth.faults`)."""
        return self.truth.faults

    # -- stepping --------------------------------------------------------------------------

    def _time(self, k: int) -> float:
        return self.start + STEP_S * k

    def _first_step_at(self, ts: float) -> int:
        """The first step whose time is >= ts."""
        k = max(0, math.ceil((ts - self.start) / STEP_S))
        while k > 0 and self._time(k - 1) >= ts:
            k -= 1
        while self._time(k) < ts:
            k += 1
        return k

    def _new_block(self, index: int) -> BlockPlan:
        block = self._builder.build(index)
        block.x = np.empty((STEPS, 2 * len(self.zones)))
        block.demand = np.zeros((STEPS, len(self.zones)), dtype=np.bool_)
        for ts, eid, state in block.events:
            self._queue(self._pending, ts, eid, state, self.catalog.static[eid])
        return block

    def _physics(self, block: BlockPlan, i0: int, i1: int) -> None:
        """Thermostats and heat balance, step by step (the only per-step loop)."""
        n = len(self.zones)
        step = self._thermal.step_matrix
        x, demand = self._x, self._demand
        xs, ds = block.x, block.demand
        low, high, drive, gain = block.low, block.high, block.drive, block.heat_gain
        loss, windows = block.window_loss, block.window_rows
        where, matmul = np.where, np.matmul
        for i in range(i0, i1):
            xs[i] = x
            # Hysteresis: switch on below setpoint - 0.3, keep heating until the setpoint.
            demand = x[:n] < where(demand, high[i], low[i])
            ds[i] = demand
            nxt = matmul(step, x)
            nxt += drive[i]
            nxt[:n] += gain[i] * demand
            if windows[i]:
                nxt -= loss[i] * x
            x = nxt
        self._x, self._demand = x, demand

    def _report(self, block: BlockPlan, i0: int, i1: int) -> None:
        """Sensor readings, lights, thermostats and ground truth of steps i0..i1 of a block."""
        n = len(self.zones)
        rows = slice(i0, i1)
        times = block.times[rows]
        air = block.x[rows, :n]
        demand = block.demand[rows]
        heating = demand & (block.heat_gain[rows] > 0)
        lights = latch(block.want_on[rows], block.switch_off[rows], self._lights)
        before = np.vstack([self._lights[None, :], lights[:-1]])
        for i, z in zip(*np.nonzero(lights != before), strict=True):
            zone, on = self.zones[z], bool(lights[i, z])
            self._queue(self._pending, float(times[i]), light_id(zone), "on" if on else "off",
                        self._light_attrs[(zone, on)])  # fmt: skip
        self._lights = lights[-1].copy()

        k0 = block.k0 + i0
        values = sensor_values(self.spec, block, rows, air=air, heating=heating, lights=lights)
        faults = self._faults.upto(float(times[-1]) + STEP_S)
        seq = self._seq
        self._pending += self._bank.report(
            k0, times, values=values, noise=block.noise[rows], faults=faults, seq=seq
        )
        mode, setpoint = block.heat_mode[rows], block.setpoint[rows]
        self._pending += self._climate.report(
            k0, times, mode=mode, setpoint=setpoint, demand=demand, air=air, seq=seq
        )
        self.truth.append(
            self._truth_part(block, rows, air=air, demand=demand, heating=heating, lights=lights)
        )

    def _truth_part(
        self,
        block: BlockPlan,
        rows: slice,
        *,
        air: FloatArray,
        demand: BoolArray,
        heating: BoolArray,
        lights: BoolArray,
    ) -> dict[str, np.ndarray]:
        occ = block.occupancy
        series: dict[str, np.ndarray] = {
            "t": block.times[rows],
            "home_occupied": occ.home[rows],
            "residents_home": occ.residents_home[rows],
            "outdoor_temperature": block.weather.outdoor_c[rows],
        }
        setpoint = np.where(block.heat_mode[rows], block.setpoint[rows], np.nan)
        for z, zone in enumerate(self.zones):
            series[f"occupied.{zone}"] = occ.people[rows, z] > 0
            series[f"occupants.{zone}"] = occ.people[rows, z]
            series[f"temperature.{zone}"] = air[:, z]
            series[f"heater_on.{zone}"] = heating[:, z]
            series[f"heat_demand.{zone}"] = demand[:, z]
            series[f"setpoint.{zone}"] = setpoint[:, z]
            series[f"light.{zone}"] = lights[:, z]
        for p, person in enumerate(self.spec.occupants):
            series[f"location.{person.name}"] = occ.resident_zone[p, rows]
        return self.truth.part(series)

    # -- start and commands ----------------------------------------------------------------

    def _start_state(self) -> list[StateChange]:
        """Physics in balance with the thermostats at the start, and what HA shows then."""
        block, n = self._block, len(self.zones)
        outdoor = float(block.weather.outdoor_c[0])
        air = np.where(block.heat_mode[0], block.setpoint[0], outdoor + 10.0)
        self._x = np.concatenate([air, self._thermal.steady_mass(air, outdoor)])
        self._demand = np.zeros(n, dtype=np.bool_)
        occ = block.occupancy
        self._lights = occ.lighting[0] & (block.daylight[0] < DARK_LUX)
        states: dict[str, str] = {}
        values = sensor_values(
            self.spec,
            block,
            slice(0, 1),
            air=air[None, :],
            heating=self._demand[None, :],
            lights=self._lights[None, :],
        )
        states |= dict(self._bank.initial(values))
        for eid in self.catalog.ids:
            if eid.startswith("binary_sensor."):
                states[eid] = "off"
        s = self.spec.sensors
        states[window_id(s.window_zone)] = "on" if block.window_rows[0] else "off"
        states[tv_id(s.tv_zone)] = "playing" if block.tv[0] else "off"
        for p, person in enumerate(self.spec.occupants):
            home = occ.resident_zone[p, 0] != AWAY
            states[tracker_id(person.name)] = "home" if home else "not_home"
        self._climate.reset(block.heat_mode[0], block.setpoint[0], self._demand, air)
        initial = []
        for eid in self.catalog.ids:
            if eid.startswith("light."):
                zone = eid.removeprefix("light.")
                on = bool(self._lights[self.spec.zone_index(zone)])
                state, attrs = ("on" if on else "off"), self._light_attrs[(zone, on)]
            elif eid.startswith("climate."):
                _, _, state, attrs = self._climate.state(self.spec.zone_index(eid[8:]), self.start)
            else:
                state, attrs = states[eid], self.catalog.static[eid]
            self._last[eid] = (state, attrs, self.start)
            initial.append(StateChange(self.start, eid, state, dict(attrs)))
        return initial

    def _retune(self, z: int) -> None:
        """Apply thermostat settings from the next step on, and show them at once."""
        block = self._block
        i = self._k - block.k0
        if i < STEPS:
            setpoint, mode = self._thermostats.arrays(block.local_hours[i:])
            block.setpoint[i:], block.heat_mode[i:] = setpoint, mode
            block.low[i:], block.high[i:] = bounds(setpoint, mode, self.spec.hysteresis_c)
        hours = self._clock.local_hours(np.array([self._time(self._k)]))
        setpoint, mode = self._thermostats.arrays(hours)
        c = self._climate
        c.mode[z], c.setpoint[z] = mode[0, z], setpoint[0, z]
        c.action[z] = 0 if not mode[0, z] else (2 if self._demand[z] else 1)
        _, eid, state, attrs = c.state(z, self.now)
        self._command(eid, state, attrs)

    def _command(self, eid: str, state: str, attrs: dict[str, Any]) -> None:
        self._queue(self._commands, self.now, eid, state, attrs)

    # -- event queue -----------------------------------------------------------------------

    def _queue(
        self, queue: list[Pending], ts: float, eid: str, state: str, attrs: dict[str, Any]
    ) -> None:
        queue.append((ts, self.catalog.rank[eid], next(self._seq), eid, state, attrs))

    def _emit(self, bound: float) -> list[StateChange]:
        """Pending changes before `bound` (all steps before it are simulated), in order."""
        self._pending.sort()
        cut = bisect.bisect_left(self._pending, bound, key=itemgetter(0))
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return self._dedupe(ready)

    def _dedupe(self, ready: list[Pending]) -> list[StateChange]:
        """Drop writes that change nothing, as HA does."""
        out: list[StateChange] = []
        append, last, change = out.append, self._last, StateChange
        for ts, _, _, eid, state, attrs in ready:
            previous = last.get(eid)
            if previous is not None and previous[0] == state and previous[1] == attrs:
                continue
            last[eid] = (state, attrs, ts)
            append(change(ts, eid, state, attrs.copy()))
        return out


def simulate(
    spec: HomeSpec, seed: int, start: float, days: float
) -> tuple[list[StateChange], GroundTruth]:
    """initial_states() followed by `days` of changes, and the ground truth."""
    home = VirtualHome(spec, seed, start)
    events = home.initial_states()
    events += home.advance(start + days * 86400.0)
    return events, home.truth
