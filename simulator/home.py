"""The virtual home: people, physics and sensors stepped minute by minute."""

from dataclasses import dataclass
from datetime import UTC, datetime
import math
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from .faults import DAY, FaultWindow, fault_schedule
from .routine import DayPlan, Routine
from .spec import HomeSpec
from .truth import GroundTruth
from .weather import Weather

STEP = 60.0
SAMPLE_EVERY = 5  # minutes between readings of slow sensors (temperature, CO2, ...)
HYSTERESIS = 0.3
PIR_DETECT = 0.85  # chance per minute that a PIR sees someone present
PIR_FALSE_PER_MIN = 1 / 1440
PIR_HOLD = 90.0  # seconds a PIR stays on after the last detection
WINDOW_W_PER_K = 300.0

TEMPERATURE = {
    "device_class": "temperature",
    "unit_of_measurement": "°C",
    "state_class": "measurement",
}
HUMIDITY = {"device_class": "humidity", "unit_of_measurement": "%", "state_class": "measurement"}
ILLUMINANCE = {
    "device_class": "illuminance",
    "unit_of_measurement": "lx",
    "state_class": "measurement",
}
CO2 = {"device_class": "carbon_dioxide", "unit_of_measurement": "ppm", "state_class": "measurement"}
POWER = {"device_class": "power", "unit_of_measurement": "W", "state_class": "measurement"}


@dataclass(frozen=True, slots=True)
class StateChange:
    """A state as Home Assistant would see it change."""

    ts: float
    entity_id: str
    state: str
    attributes: dict[str, Any]


def _friendly(entity_id: str) -> str:
    return entity_id.split(".", 1)[1].replace("_", " ").capitalize()


class VirtualHome:
    """A deterministic simulated home. ``advance`` returns what HA would see change."""

    def __init__(self, spec: HomeSpec, seed: int, start: float) -> None:
        """A home whose history begins at epoch ``start``."""
        self.spec = spec
        self.seed = seed
        self.start = math.floor(start / STEP) * STEP
        self.now = self.start
        self.zones = tuple(z.name for z in spec.zones)
        self._n = len(self.zones)
        self._index = {z: i for i, z in enumerate(self.zones)}
        self.weather = Weather(seed, self.start, spec.outdoor_mean_c)
        first_local = datetime.fromtimestamp(self.start, UTC).astimezone(ZoneInfo(spec.time_zone))
        self.routine = Routine(spec, seed, first_local)
        self._plan: DayPlan = self.routine.plan(0)
        self._day = 0
        self._rng = np.random.default_rng([seed, 11])
        # Physics state.
        self.temperature = [19.0 - 0.3 * i for i in range(self._n)]
        self.heater_on = [False] * self._n
        self.hvac_mode = ["heat"] * self._n
        self.setpoint_override: list[float | bool | None] = [False] * self._n  # False: schedule
        self.co2 = [450.0] * self._n
        self.humidity = [45.0] * self._n
        # People and devices.
        self._where = [-2] * len(spec.occupants)  # -2: not yet placed
        self._tracker_home = [True] * len(spec.occupants)
        self._tracker_pending: list[tuple[float, bool] | None] = [None] * len(spec.occupants)
        self._motion_until = [0.0] * self._n
        self._lights = [False] * self._n
        self._light_forgotten_until = [0.0] * self._n
        self._light_manual: list[bool | None] = [None] * self._n
        self._occupied_before = [False] * self._n
        self._door_until = 0.0
        self._window_until = 0.0
        self._window_open: tuple[float, float] = (0.0, 0.0)  # today's (from, to)
        self._tv_day = -1
        self._tv_evening = False
        self._last: dict[str, tuple[str, dict[str, Any]]] = {}
        self._events: list[StateChange] = []
        self._last_sensor_value: dict[str, str] = {}
        self._active_at = -1.0
        self._active_now: set[tuple[str, str]] = set()
        intrusion_at = self._intrusion_time() if spec.faults else None
        faults = fault_schedule(self.start, intrusion_at) if spec.faults else []
        self.truth = GroundTruth(self.zones, faults)
        self._emit_all(self.start, force=True)
        self._initial = list(self._events)
        self._events.clear()

    # -- public API --------------------------------------------------------------------------

    def initial_states(self) -> list[StateChange]:
        """Every entity's state at the start."""
        return list(self._initial)

    def advance(self, until: float) -> list[StateChange]:
        """Simulate up to ``until`` (epoch s) in one-minute steps; the changes, oldest first."""
        while self.now + STEP <= until:
            self.now += STEP
            self._step(self.now)
        events, self._events = self._events, []
        events.sort(key=lambda e: e.ts)
        return events

    def set_heating_setpoint(self, zone: str, celsius: float | None) -> None:
        """Hold ``celsius`` in ``zone`` from now on (None: heating off) instead of the schedule."""
        i = self._index[zone]
        self.setpoint_override[i] = celsius
        self.hvac_mode[i] = "off" if celsius is None else "heat"

    def set_hvac_mode(self, zone: str, mode: str) -> None:
        """``heat`` or ``off``."""
        self.hvac_mode[self._index[zone]] = "off" if mode == "off" else "heat"

    def set_light(self, entity_id: str, on: bool) -> None:
        """Switch a light by hand; it stays so until its zone's occupancy next changes."""
        i = self._index[entity_id.split(".", 1)[1]]
        self._light_manual[i] = on
        self._lights[i] = on

    def setpoint(self, zone: str) -> float | None:
        """The setpoint in force in ``zone`` now."""
        return self._setpoint(self._index[zone], self._local_hour())

    @property
    def faults(self) -> list[FaultWindow]:
        """Injected fault windows."""
        return self.truth.faults

    # -- simulation ----------------------------------------------------------------------------

    def _intrusion_time(self) -> float | None:
        """02:30 local on the second night of the first vacation."""
        day = min(self.routine.vacations)
        return self.routine.plan(day + 1).start + 2.5 * 3600

    def _local_hour(self) -> float:
        return (self.now - self._plan.start) / 3600.0

    def _plan_for(self, ts: float) -> DayPlan:
        while ts >= self._plan.start + self._plan.minutes * 60:
            self._day += 1
            self._plan = self.routine.plan(self._day)
        return self._plan

    def _setpoint(self, i: int, hour: float) -> float | None:
        if self.hvac_mode[i] == "off":
            return None
        override = self.setpoint_override[i]
        if override is not False:
            return override  # type: ignore[return-value]
        return self.spec.comfort_c if 6.0 <= hour < 22.5 else self.spec.night_c

    def _step(self, ts: float) -> None:
        plan = self._plan_for(ts)
        minute = min(int((ts - plan.start) // 60), plan.minutes - 1)
        hour = minute / 60.0
        where = [int(w) for w in plan.where[:, minute]]
        occupants = [0] * self._n
        for w in where:
            if w >= 0:
                occupants[w] += 1
        occupants[self._index["living_room"]] += int(plan.guests[minute])
        intrusion = self._active("intrusion", "home", ts)
        if intrusion:
            occupants[self._index["hall"]] += 1
            occupants[self._index["living_room"]] += 1
        self._people(ts, where, intrusion)
        outdoor = self.weather.outdoor(ts, hour)
        sun = self.weather.sun(ts, hour)
        self._physics(ts, hour, occupants, outdoor, sun)
        self._devices(ts, hour, occupants, sun)
        if minute % SAMPLE_EVERY == 0:
            self._emit_slow(ts, outdoor, sun)
        self._emit_fast(ts)
        self.truth.record(ts, occupants, list(self.temperature), list(self.heater_on), outdoor)

    def _active(self, kind: str, target: str, ts: float) -> bool:
        if ts != self._active_at:  # faults active this minute, worked out once per step
            self._active_at = ts
            self._active_now = {(f.kind, f.target) for f in self.truth.faults if f.active(ts)}
        return (kind, target) in self._active_now

    def _people(self, ts: float, where: list[int], intrusion: bool) -> None:
        for k, w in enumerate(where):
            before = self._where[k]
            if before != -2 and (before < 0) != (w < 0):
                # Through the front door; the phone notices 1-5 minutes later.
                self._door_until = ts + 20 + float(self._rng.uniform(0, 20))
                delay = float(self._rng.uniform(60, 300))
                self._tracker_pending[k] = (ts + delay, w >= 0)
            self._where[k] = w
            pending = self._tracker_pending[k]
            if pending is not None and ts >= pending[0]:
                self._tracker_home[k] = pending[1]
                self._tracker_pending[k] = None
        if intrusion and ts - STEP < self._fault_start("intrusion") <= ts:
            self._door_until = ts + 30

    def _fault_start(self, kind: str) -> float:
        return next((f.start for f in self.truth.faults if f.kind == kind), -1.0)

    def _physics(
        self, ts: float, hour: float, occupants: list[int], outdoor: float, sun: float
    ) -> None:
        spec = self.spec
        temps = self.temperature
        flows = [0.0] * self._n
        for a, b, k in spec.neighbours:
            i, j = self._index[a], self._index[b]
            q = k * (temps[j] - temps[i])
            flows[i] += q
            flows[j] -= q
        window = ts < self._window_until
        for i, zone in enumerate(spec.zones):
            setpoint = self._setpoint(i, hour)
            if setpoint is None:
                self.heater_on[i] = False
            elif temps[i] < setpoint - HYSTERESIS:
                self.heater_on[i] = True
            elif temps[i] > setpoint + HYSTERESIS:
                self.heater_on[i] = False
            failed = self._active("heating_failure", zone.name, ts)
            heat = zone.heater_w if self.heater_on[i] and not failed else 0.0
            loss = (outdoor - temps[i]) / zone.resistance
            if window and zone.has_window:
                loss += WINDOW_W_PER_K * (outdoor - temps[i])
            gains = heat + zone.solar_w * sun + 100.0 * occupants[i] + flows[i] + loss
            temps[i] += gains * STEP / zone.capacity
            # CO2 and humidity follow people with first-order dynamics.
            self.co2[i] += STEP * (0.3 * occupants[i] - (self.co2[i] - 420.0) / 5400.0)
            target = 40.0 + (30.0 if zone.name == "bathroom" else 6.0) * min(occupants[i], 2)
            self.humidity[i] += (target - self.humidity[i]) * 0.03

    def _devices(self, ts: float, hour: float, occupants: list[int], sun: float) -> None:
        rng = self._rng
        for i, zone in enumerate(self.spec.zones):
            present = occupants[i] > 0
            if (present and rng.random() < PIR_DETECT) or rng.random() < PIR_FALSE_PER_MIN:
                self._motion_until[i] = ts + float(rng.uniform(0, 60)) + PIR_HOLD
            dark = zone.lux_daylight * sun < 80.0
            if present != self._occupied_before[i]:
                self._light_manual[i] = None  # manual switching lasts until occupancy changes
                if not present and self._lights[i] and rng.random() < 0.1:
                    self._light_forgotten_until[i] = ts + float(rng.uniform(1800, 7200))
            self._occupied_before[i] = present
            manual = self._light_manual[i]
            if manual is not None:
                self._lights[i] = manual
            else:
                self._lights[i] = (present and dark) or ts < self._light_forgotten_until[i]
        day = self._day
        if day != self._tv_day:
            self._tv_day = day
            self._tv_evening = rng.random() < 0.6
            # Some mornings the bedroom window is aired for 10-20 minutes.
            if rng.random() < 0.4 and not self.routine.on_vacation(day):
                open_at = self._plan.start + (7 * 60 + 10 + float(rng.integers(0, 30))) * 60
                self._window_open = (open_at, open_at + float(rng.uniform(600, 1200)))
            else:
                self._window_open = (0.0, 0.0)
        start, end = self._window_open
        self._window_until = end if start <= ts < end else 0.0

    # -- what Home Assistant sees ----------------------------------------------------------

    def _emit(
        self, ts: float, entity_id: str, state: str, attrs: dict[str, Any], force: bool = False
    ) -> None:
        last = self._last.get(entity_id)
        if force or last is None or last[0] != state or last[1] != attrs:
            full = {**attrs, "friendly_name": _friendly(entity_id)}
            self._last[entity_id] = (state, attrs)
            self._events.append(StateChange(ts, entity_id, state, full))

    def _reading(self, ts: float, entity_id: str, value: float, digits: int) -> str:
        """A sensor reading with faults applied (stuck, spike, drift, dropout)."""
        if self._active("dropout", entity_id, ts):
            return "unavailable"
        if self._active("stuck", entity_id, ts) and entity_id in self._last_sensor_value:
            return self._last_sensor_value[entity_id]
        if self._active("spike", entity_id, ts):
            return "85.0"
        if self._active("drift", entity_id, ts):
            f = next(f for f in self.truth.faults if f.kind == "drift")
            value += 0.5 * (ts - f.start) / DAY
        text = f"{value:.{digits}f}" if digits else str(round(value))
        self._last_sensor_value[entity_id] = text
        return text

    def _emit_slow(self, ts: float, outdoor: float, sun: float) -> None:
        noise = self._rng.normal(0, 0.05, 3 * self._n)
        for i, zone in enumerate(self.spec.zones):
            name = zone.name
            temp_id = f"sensor.{name}_temperature"
            self._emit(
                ts,
                temp_id,
                self._reading(ts, temp_id, self.temperature[i] + noise[i], 1),
                TEMPERATURE,
            )
            hum_id = f"sensor.{name}_humidity"
            self._emit(
                ts,
                hum_id,
                self._reading(ts, hum_id, self.humidity[i] + 10 * noise[self._n + i], 0),
                HUMIDITY,
            )
            lux = zone.lux_daylight * sun + (250.0 if self._lights[i] else 0.0) + 2.0
            lux_id = f"sensor.{name}_illuminance"
            self._emit(ts, lux_id, self._reading(ts, lux_id, round(lux / 5) * 5, 0), ILLUMINANCE)
            if zone.has_co2:
                co2_id = f"sensor.{name}_co2"
                self._emit(
                    ts, co2_id, self._reading(ts, co2_id, round(self.co2[i] / 10) * 10, 0), CO2
                )
        self._emit(ts, "sensor.outdoor_temperature", f"{outdoor:.1f}", TEMPERATURE)
        base = 150.0 + 15.0 * sum(self._lights) + (100.0 if self._tv_on() else 0.0)
        heaters = sum(z.heater_w for i, z in enumerate(self.spec.zones) if self.heater_on[i])
        self._emit(ts, "sensor.house_power", str(round((base + heaters) / 10) * 10), POWER)

    def _tv_on(self) -> bool:
        living = self._index["living_room"]
        hour = self._local_hour()
        return self._tv_evening and self._occupied_before[living] and 19.0 <= hour < 23.0

    def _emit_fast(self, ts: float) -> None:
        for i, zone in enumerate(self.spec.zones):
            name = zone.name
            motion = "on" if ts < self._motion_until[i] else "off"
            self._emit(ts, f"binary_sensor.{name}_motion", motion, {"device_class": "motion"})
            self._emit(ts, f"light.{name}", "on" if self._lights[i] else "off", {})
            setpoint = self._setpoint(i, self._local_hour())
            mode = self.hvac_mode[i]
            action = "off" if mode == "off" else ("heating" if self.heater_on[i] else "idle")
            measured = self._last_sensor_value.get(f"sensor.{name}_temperature")
            current = float(measured) if measured not in (None, "unavailable") else None
            attrs = {
                "hvac_modes": ["off", "heat"],
                "min_temp": 7,
                "max_temp": 30,
                "current_temperature": current,
                "temperature": setpoint,
                "hvac_action": action,
            }
            self._emit(ts, f"climate.{name}", mode, attrs)
            failed = self._active("heating_failure", name, ts)
            power = zone.heater_w if self.heater_on[i] and not failed else 0.0
            self._emit(ts, f"sensor.{name}_heater_power", str(round(power)), POWER)
            if zone.has_window:
                window = "on" if ts < self._window_until else "off"
                self._emit(ts, f"binary_sensor.{name}_window", window, {"device_class": "window"})
        door = "on" if ts < self._door_until else "off"
        self._emit(ts, "binary_sensor.front_door", door, {"device_class": "door"})
        self._emit(ts, "media_player.living_room_tv", "playing" if self._tv_on() else "off", {})
        for k, person in enumerate(self.spec.occupants):
            state = "home" if self._tracker_home[k] else "not_home"
            self._emit(ts, f"device_tracker.phone_{person.name}", state, {"source_type": "router"})

    def _emit_all(self, ts: float, force: bool) -> None:
        hour = self._local_hour()
        outdoor = self.weather.outdoor(ts, hour)
        self._emit_slow(ts, outdoor, self.weather.sun(ts, hour))
        self._emit_fast(ts)


def simulate(
    spec: HomeSpec, seed: int, start: float, days: float
) -> tuple[list[StateChange], GroundTruth]:
    """Run a home for ``days``: its initial states then every change, and the ground truth."""
    home = VirtualHome(spec, seed, start)
    events = home.initial_states() + home.advance(home.start + days * DAY)
    return events, home.truth
