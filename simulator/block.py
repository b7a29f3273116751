"""Everything about a 24 h block of steps that does not depend on the heating: it is planned
ahead in bulk (people, weather, gains, airing, PIRs, doors, phones, TV), so the per-step loop
only has to run the thermostats and the heat balance."""

from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from .air import WINDOW_ACH, AirModel
from .arrays import BoolArray, FloatArray
from .clock import LocalClock
from .entities import FRONT_DOOR, motion_id, tracker_id, tv_id, window_id
from .faults import FaultSchedule
from .lights import occupant_actions
from .motion import MotionSensors
from .occupancy import Occupancy, Track, sample_occupancy
from .rng import stream
from .routine import RoutinePlanner, Span
from .sensors import SensorBank
from .spec import HomeSpec
from .thermal import ThermalModel
from .thermostat import Thermostats, bounds
from .weather import Weather, WeatherBlock

STEPS = 1440  # one block = 24 h of 60 s steps
DAYLIGHT_LUX_PER_W = 110.0  # lux per W/m2 of sunlight
TV_GRACE_STEPS = 10  # the TV keeps playing through short trips out of the room

type PlanEvent = tuple[float, str, str]  # (ts, entity_id, state)


@dataclass
class BlockPlan:
    """Per-step inputs of one block (rows = steps k0 .. k0 + STEPS - 1) and its planned events."""

    index: int
    k0: int
    times: FloatArray
    local_hours: FloatArray
    weather: WeatherBlock
    occupancy: Occupancy
    drive: FloatArray  # heat-balance input increments (steps x 2 zones)
    window_loss: FloatArray  # extra loss factor of open windows (steps x 2 zones)
    window_rows: list[bool]
    heat_gain: FloatArray  # K per step of a running heater, 0 while it is broken
    setpoint: FloatArray
    heat_mode: BoolArray
    low: FloatArray  # heating switches on below
    high: FloatArray  # and off at
    daylight: FloatArray  # lux per zone
    want_on: BoolArray  # occupants would switch the light on
    switch_off: BoolArray  # occupants switch it off
    tv: BoolArray
    air: FloatArray  # humidity and CO2 (steps x 2 zones)
    noise: FloatArray  # sensor noise (steps x sensors)
    events: list[PlanEvent]
    # Filled by the step loop:
    x: FloatArray = field(default_factory=lambda: np.zeros(0))
    demand: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))


class BlockBuilder:
    """Builds blocks in order, carrying state (weather, PIRs, presence, TV) across them."""

    def __init__(
        self,
        spec: HomeSpec,
        seed: int,
        start: float,
        *,
        clock: LocalClock,
        planner: RoutinePlanner,
        faults: FaultSchedule,
        thermal: ThermalModel,
        thermostats: Thermostats,
        bank: SensorBank,
    ) -> None:
        self._spec = spec
        self._seed = seed
        self._start = start
        self._clock = clock
        self._planner = planner
        self._faults = faults
        self._thermal = thermal
        self._thermostats = thermostats
        self._bank = bank
        self._weather = Weather(spec.weather, seed, clock)
        self._motion = MotionSensors(spec.sensors, len(spec.zones))
        self.air = AirModel(spec)
        n = len(spec.zones)
        self._present_before: BoolArray | None = None
        self._tv_recent = np.zeros(TV_GRACE_STEPS, dtype=np.bool_)
        self._tv_on = False
        self._tv_zone = spec.zone_index(spec.sensors.tv_zone)
        self._window_zone = spec.zone_index(spec.sensors.window_zone)
        self._daylight_factor = np.array([z.daylight_factor for z in spec.zones])
        self._zones = n

    def build(self, index: int) -> BlockPlan:
        """Block `index` (blocks must be built in order, starting at 0)."""
        spec, n = self._spec, self._zones
        k0 = index * STEPS
        times = np.asarray(self._start + 60.0 * (k0 + np.arange(STEPS)), dtype=np.float64)
        t_end = float(times[-1]) + 60.0
        hours = self._clock.local_hours(times)
        weather = self._weather.block(index, times)
        plans = []
        day = self._clock.date_of(float(times[0]))
        while True:
            plans.append(self._planner.day(day))
            if plans[-1].end >= t_end:
                break
            day += timedelta(days=1)
        residents = [
            Track.of([s for p in plans for s in p.residents[i]]) for i in range(len(spec.occupants))
        ]
        guests = [Track.of(g) for p in plans for g in p.guests]
        intruders = [Track.of(g) for p in plans for g in p.intruders]
        occ = sample_occupancy(residents, guests, intruders, times, n)

        windows = [w for p in plans for w in p.windows]
        window_open = _inside(times, windows)
        drive = self._thermal.drive(weather.outdoor_c, weather.irradiance, occ.awake, occ.asleep)
        window_loss = self._thermal.window_loss(window_open, self._window_zone)
        drive[:, self._window_zone] += window_loss[:, self._window_zone] * weather.outdoor_c

        ok = np.ones((STEPS, n), dtype=np.bool_)
        for fault in self._faults.upto(t_end):
            if fault.kind == "heating_failure":
                ok[:, spec.zone_index(fault.target)] &= ~(
                    (times >= fault.start) & (times < fault.end)
                )
        heat_gain = self._thermal.heater_w * self._thermal.air_gain * ok

        setpoint, heat_mode = self._thermostats.arrays(hours)
        low, high = bounds(setpoint, heat_mode, spec.hysteresis_c)
        daylight = weather.irradiance[:, None] * self._daylight_factor * DAYLIGHT_LUX_PER_W
        before = occ.lighting[0] if self._present_before is None else self._present_before
        self._present_before = occ.lighting[-1].copy()
        want_on, switch_off = occupant_actions(
            occ.lighting, before, occ.asleep > 0, daylight, stream(self._seed, "lights", index)
        )
        tv = self._tv(times, plans_tv=[s for p in plans for s in p.tv], present=occ.lighting)
        window_ach = np.zeros((STEPS, n))
        window_ach[:, self._window_zone] = WINDOW_ACH * window_open
        air = self.air.block(
            awake=occ.awake,
            asleep=occ.asleep,
            shower=occ.shower,
            cooking=occ.cooking,
            window=window_ach,
            outdoor_c=weather.outdoor_c,
            outdoor_rh=spec.weather.outdoor_rh,
        )
        tracks = residents + guests + intruders
        events = self._events(index, times, tracks=tracks, occ=occ, windows=windows)
        events += self._tv_events(times, tv)
        return BlockPlan(
            index=index,
            k0=k0,
            times=times,
            local_hours=hours,
            weather=weather,
            occupancy=occ,
            drive=drive,
            window_loss=window_loss,
            window_rows=[bool(v) for v in window_open],
            heat_gain=heat_gain,
            setpoint=setpoint,
            heat_mode=heat_mode,
            low=low,
            high=high,
            daylight=daylight,
            want_on=want_on,
            switch_off=switch_off,
            tv=tv,
            air=air,
            noise=self._bank.noise(stream(self._seed, "noise", index), STEPS),
            events=events,
        )

    def _tv(self, times: FloatArray, plans_tv: list[Span], present: BoolArray) -> BoolArray:
        """Playing during a planned session while someone watched within the last minutes."""
        here = np.concatenate([self._tv_recent, present[:, self._tv_zone]])
        recent = np.convolve(here, np.ones(TV_GRACE_STEPS + 1), mode="valid") > 0
        self._tv_recent = here[-TV_GRACE_STEPS:].copy()
        return np.asarray(_inside(times, plans_tv) & recent, dtype=np.bool_)

    def _tv_events(self, times: FloatArray, tv: BoolArray) -> list[PlanEvent]:
        eid = tv_id(self._spec.sensors.tv_zone)
        before = np.concatenate(([self._tv_on], tv[:-1]))
        self._tv_on = bool(tv[-1])
        return [
            (float(times[i]) + 5.0, eid, "playing" if tv[i] else "off")
            for i in np.flatnonzero(tv != before)
        ]

    def _events(
        self,
        index: int,
        times: FloatArray,
        *,
        tracks: list[Track],
        occ: Occupancy,
        windows: list[Span],
    ) -> list[PlanEvent]:
        """Motion, front door, phone trackers and window switches planned in this block."""
        spec = self._spec
        rng = stream(self._seed, "doors", index)
        t0, t_end = float(times[0]), float(times[-1]) + 60.0
        events: list[PlanEvent] = []
        for ts, z, on in self._motion.block(
            times, occ.awake, occ.asleep, stream(self._seed, "motion", index)
        ):
            events.append((ts, motion_id(spec.zones[z].name), "on" if on else "off"))
        crossings = sorted(ts for tr in tracks for ts, _ in tr.comings_and_goings(t0, t_end))
        last_open = -np.inf
        for ts in crossings:
            if ts - last_open < 60.0:  # people leaving together: one opening
                continue
            last_open = ts
            events.append((ts, FRONT_DOOR, "on"))
            events.append((ts + float(rng.uniform(*spec.sensors.door_open_s)), FRONT_DOOR, "off"))
        for person, track in zip(spec.occupants, tracks, strict=False):
            for ts, arrived in track.comings_and_goings(t0, t_end):
                delay = float(rng.uniform(*spec.sensors.tracker_delay_s))
                events.append(
                    (ts + delay, tracker_id(person.name), "home" if arrived else "not_home")
                )
        eid = window_id(spec.sensors.window_zone)
        for opened, closed in windows:
            if t0 <= opened < t_end:
                events += [(opened, eid, "on"), (closed, eid, "off")]
        return events


def _inside(times: FloatArray, spans: list[Span]) -> BoolArray:
    """Whether each time falls in any of the spans."""
    mask = np.zeros(len(times), dtype=np.bool_)
    for a, b in spans:
        mask |= (times >= a) & (times < b)
    return mask
