"""Pre-heat benchmark: closed loop on the virtual home, five heating policies.

Every policy runs the same home (same seed, so the same people and weather): ``--history``
days under the home's default schedule to learn from, then ``--days`` days in which the policy
sets each zone's thermostat every 5 minutes.

- always: comfort in every zone all the time.
- schedule: a fixed weekly program per room that a user would set from the household's usual
  routine (bedroom at night, living room evenings and weekends, office on home-office days,
  kitchen/bathroom/hall while someone is usually home and awake; ``preheat_schedule.py``),
  derived from the simulator spec, not from the test days.
- default_schedule (reference only): the simulator's own 06:00-22:30 comfort in every room.
- reactive: comfort while the occupancy detector says "occupied", eco otherwise.
- iot_ml: ``engine.climate.policy.decide`` with thermal models and occupancy models learned from
  the simulated sensors (motion, TV, front door, phones; never the ground truth), refitted every
  night; the bedroom's window contact turns heating off while open. Per zone, settings are
  tuned nightly from the learned models only (see ``zone_settings``).
- oracle: the same decision with the true occupancy, now and in the future.

Scored on the ground truth, every minute of the evaluation days:

- miss_time: share of occupied zone-minutes with the air below comfort - 0.5 °C;
- energy_kwh: heater-on minutes x heater power;
- empty_heating_share: share of that energy spent while the zone was empty *and* its setpoint
  was above eco, i.e. comfort heating (pre-heat and hold included) that a perfect eco setback
  would not have asked for. Keeping an empty room at eco is not counted: every policy must do
  that much, so counting it (the earlier definition, still reported as
  ``empty_energy_share_any_setpoint``) put even the oracle at ~80%.

``preheat.json`` repeats these under ``definitions`` and the schedule's windows under
``schedule``.
"""

import argparse
import bisect
from datetime import datetime
import math
from pathlib import Path
import time
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from benchmarks.common import write_report
from benchmarks.preheat_schedule import UserSchedule
from custom_components.iot_ml.engine.climate.policy import ClimateSettings, decide
from custom_components.iot_ml.engine.climate.tuning import zone_settings
from custom_components.iot_ml.engine.core.grid import SLOT_SECONDS, SLOTS_PER_DAY, slot_of
from custom_components.iot_ml.engine.core.resample import resample_step
from custom_components.iot_ml.engine.occupancy.fusion import FusionState
from custom_components.iot_ml.engine.occupancy.model import (
    PRIOR_CHANNEL,
    OccupancyModel,
    fit_occupancy,
    logit,
)
from custom_components.iot_ml.engine.thermal.model import (
    ThermalModel,
    ThermalSeries,
    fit_thermal,
    state_at,
)
from simulator import VirtualHome, default_home

START = "2026-01-05T00:00:00+01:00"  # a Monday in winter
POLICIES = ("always", "schedule", "reactive", "iot_ml", "oracle")
EXTRA = ("default_schedule",)  # the simulator's own 06:00-22:30 everywhere, for reference
DEFINITIONS = {
    "miss_time": "occupied zone-minutes (ground truth) with the air below comfort - 0.5 °C, "
    "over all occupied zone-minutes",
    "energy_kwh": "heater-on minutes x each zone's heater power, evaluation days only",
    "empty_heating_share": "share of the energy spent while the zone was empty (ground truth) "
    "and its setpoint was above eco: comfort heating (pre-heat and hold included) that a "
    "perfect eco setback would not have asked for; keeping an empty room at eco is not counted",
    "empty_energy_share_any_setpoint": "the previous definition: share of the energy spent "
    "while the zone was empty at any setpoint, eco included (even the oracle is high: an empty "
    "room at eco still loses heat)",
    "energy_vs_schedule": "energy / energy of the 'schedule' policy - 1",
    "schedule": "a user's fixed per-room weekly program derived from the routine spec "
    "(benchmarks/preheat_schedule.py; windows under 'schedule'); 'default_schedule' is the "
    "simulator's 06:00-22:30 comfort in every room",
}
FORECAST_SLOTS = 96  # 8 h: the policy never plans further ahead
TUNE_DAYS = 28  # history the nightly per-zone calibration fits on and replays (2 weeks)


def parse(entity_id: str, state: str, attrs: dict[str, Any]) -> float:
    """An HA state as a number (binary -> 0/1, climate -> heating 0/1), NaN when unusable."""
    if entity_id.startswith("climate."):
        return 1.0 if attrs.get("hvac_action") == "heating" else 0.0
    if state in ("unavailable", "unknown"):
        return math.nan
    if entity_id.startswith(("binary_sensor.", "light.")):
        return 1.0 if state == "on" else 0.0
    if entity_id.startswith("media_player."):
        return 1.0 if state == "playing" else 0.0
    if entity_id.startswith("device_tracker."):
        return 1.0 if state == "home" else 0.0
    try:
        return float(state)
    except ValueError:
        return math.nan


class Recorder:
    """Every watched entity's history as a step function, and its closed slot means."""

    def __init__(self, watched: set[str], first_slot: int) -> None:
        self.watched = watched
        self.first_slot = first_slot
        self.times: dict[str, list[float]] = {e: [] for e in watched}
        self.values: dict[str, list[float]] = {e: [] for e in watched}
        self.closed: dict[str, np.ndarray] = {e: np.empty(0) for e in watched}

    def add(self, changes: list[Any]) -> None:
        for ch in changes:
            if ch.entity_id in self.watched:
                self.times[ch.entity_id].append(ch.ts)
                self.values[ch.entity_id].append(parse(ch.entity_id, ch.state, ch.attributes))

    def close(self, end: int) -> None:
        """Compute the slot means of every slot before ``end`` not closed yet."""
        for e in self.watched:
            start = self.first_slot + len(self.closed[e])
            if end <= start:
                continue
            times = self.times[e]
            lo = max(0, bisect.bisect_left(times, start * SLOT_SECONDS) - 1)
            fresh = resample_step(
                np.asarray(times[lo:]), np.asarray(self.values[e][lo:]), start, end
            )
            self.closed[e] = np.concatenate([self.closed[e], fresh])

    def slots(self, entity_id: str, start: int, end: int) -> np.ndarray:
        """Closed slot means over ``[start, end)``."""
        return self.closed[entity_id][start - self.first_slot : end - self.first_slot]


class Zone:
    """One zone's entities, models and live detector state."""

    def __init__(self, name: str, heater_w: float) -> None:
        self.name = name
        self.heater_w = heater_w
        self.channels = {"motion": f"binary_sensor.{name}_motion"}
        if name == "living_room":
            self.channels["tv"] = "media_player.living_room_tv"
        if name == "hall":
            self.channels["door"] = "binary_sensor.front_door"
        self.window = f"binary_sensor.{name}_window" if name == "bedroom" else None
        self.thermal: ThermalModel | None = None
        self.occupancy: OccupancyModel | None = None
        self.fusion: FusionState | None = None
        self.settings: ClimateSettings | None = None  # tuned nightly (iot_ml)
        self.tuning: dict[str, float] = {}


class Home:
    """The virtual home plus what iot_ml records of it."""

    def __init__(self, seed: int, start: float) -> None:
        self.sim = VirtualHome(default_home(), seed, start, faults=False)
        self.spec = self.sim.spec
        self.tz = self.spec.time_zone
        self.zones = [Zone(z.name, z.heater_w) for z in self.spec.zones]
        watched = {
            "sensor.outdoor_temperature",
            "binary_sensor.front_door",
            "media_player.living_room_tv",
        }
        watched |= {f"device_tracker.phone_{p.name}" for p in self.spec.occupants}
        watched |= {"binary_sensor.bedroom_window"}
        for z in self.zones:
            watched |= {
                f"sensor.{z.name}_temperature",
                f"climate.{z.name}",
                f"binary_sensor.{z.name}_motion",
            }
        self.first_slot = slot_of(start)
        self.rec = Recorder(watched, self.first_slot)
        self.rec.add(self.sim.initial_states())

    def advance(self, until: float) -> None:
        self.rec.add(self.sim.advance(until))
        self.rec.close(slot_of(until))

    def channel(self, key: str, start: int, end: int) -> np.ndarray:
        if key == "_home":
            phones = [
                self.rec.slots(f"device_tracker.phone_{p.name}", start, end)
                for p in self.spec.occupants
            ]
            return np.asarray(np.nanmax(np.vstack(phones), axis=0))
        return self.rec.slots(key, start, end)

    def thermal_series(self, zone: Zone, start: int, end: int) -> ThermalSeries:
        excluded = self.rec.slots(zone.window, start, end) if zone.window else None
        return ThermalSeries(
            start_slot=start,
            temperature=self.rec.slots(f"sensor.{zone.name}_temperature", start, end),
            heating=self.rec.slots(f"climate.{zone.name}", start, end),
            outdoor=self.rec.slots("sensor.outdoor_temperature", start, end),
            excluded=None if excluded is None else np.nan_to_num(excluded),
        )

    def refit(
        self,
        now_slot: int,
        shared: dict[str, tuple[ThermalModel, OccupancyModel]] | None = None,
        *,
        base: ClimateSettings | None = None,
    ) -> None:
        """Nightly training on everything recorded so far (``shared``: models already fitted
        on this same history by another policy's run, reused to save time)."""
        start = self.first_slot
        for zone in self.zones:
            if shared is not None and zone.name in shared:
                zone.thermal, zone.occupancy = shared[zone.name]
            else:
                series = self.thermal_series(zone, start, now_slot)
                zone.thermal = fit_thermal(series, tz=self.tz)
                data = {k: self.channel(v, start, now_slot) for k, v in zone.channels.items()}
                kinds = dict.fromkeys(data, "binary")
                zone.occupancy = fit_occupancy(data, kinds, now_slot, self.tz)
                if shared is not None:
                    shared[zone.name] = (zone.thermal, zone.occupancy)
            if base is not None:
                self.tune(zone, now_slot, base)
            # Warm the live detector on the last day so its holds start right.
            zone.fusion = FusionState(zone.occupancy.fusion)
            for k in range(max(start, now_slot - SLOTS_PER_DAY), now_slot):
                self.detect(zone, k)

    def tune(self, zone: Zone, now_slot: int, base: ClimateSettings) -> None:
        """Per-zone settings from the detector's view of the last two weeks (no ground truth)."""
        assert zone.occupancy is not None
        start = max(self.first_slot, now_slot - TUNE_DAYS * SLOTS_PER_DAY)
        data = {k: self.channel(v, start, now_slot) for k, v in zone.channels.items()}
        posterior = zone.occupancy.detect(data, start)
        outdoor = float(np.nanmean(self.channel("sensor.outdoor_temperature", start, now_slot)))
        home = self.channel("_home", start, now_slot)
        zone.settings, zone.tuning = zone_settings(
            base,
            zone.occupancy.routine.tz,
            zone.thermal,
            posterior,
            start,
            outdoor=outdoor,
            home=home,
        )

    def detect(self, zone: Zone, slot: int) -> float:
        """P(occupied) for a closed slot, one step of the live detector."""
        assert zone.occupancy is not None
        assert zone.fusion is not None
        values = {k: float(self.channel(v, slot, slot + 1)[0]) for k, v in zone.channels.items()}
        if zone.occupancy.use_prior:
            values[PRIOR_CHANNEL] = float(logit(zone.occupancy.routine.prior_at(slot, 1))[0])
        return zone.fusion.step(values)


def run_policy(
    policy: str,
    *,
    seed: int,
    start: float,
    history_days: int,
    days: int,
    future: dict[str, np.ndarray] | None,
    first_fit: dict[str, tuple[ThermalModel, OccupancyModel]] | None = None,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Simulate one policy; returns its metrics and the ground truth of the evaluation days."""
    home = Home(seed, start)
    spec = home.spec
    settings = ClimateSettings(
        comfort_c=spec.comfort_c, eco_c=spec.eco_c, min_temp_c=7.0, max_temp_c=30.0
    )
    eval_start = start + history_days * 86400.0
    home.advance(eval_start)
    t0 = time.perf_counter()
    learning = policy in ("reactive", "iot_ml", "oracle")
    tuned = settings if policy == "iot_ml" else None
    if learning:
        home.refit(slot_of(eval_start), first_fit, base=tuned)
    if policy == "always":
        for z in home.zones:
            home.sim.set_heating_setpoint(z.name, settings.comfort_c)
    user = UserSchedule(spec) if policy == "schedule" else None
    last: dict[str, float | None] = {}
    reasons: dict[str, int] = {}
    first_eval_slot = slot_of(eval_start)
    for k in range(days * SLOTS_PER_DAY):
        slot = first_eval_slot + k
        if learning and k > 0 and k % SLOTS_PER_DAY == 0:
            home.refit(slot, base=tuned)
        if user is not None:
            for z in home.zones:
                programmed = user.setpoint(z.name, slot)
                if last.get(z.name) != programmed:
                    home.sim.set_heating_setpoint(z.name, programmed)
                    last[z.name] = programmed
        if learning:
            for z in home.zones:
                setpoint, reason = choose(
                    policy,
                    home,
                    z,
                    slot,
                    settings=settings,
                    future=future,
                    first_eval_slot=first_eval_slot,
                )
                reasons[reason] = reasons.get(reason, 0) + 1
                if last.get(z.name, -1.0) != setpoint:
                    home.sim.set_heating_setpoint(z.name, setpoint)
                    last[z.name] = setpoint
        home.advance((slot + 1) * SLOT_SECONDS)
    seconds = time.perf_counter() - t0
    truth = home.sim.truth.arrays()
    keep = truth["t"] >= eval_start
    truth = {k: v[keep] for k, v in truth.items()}
    metrics = score(truth, home, settings)
    metrics["seconds"] = round(seconds, 1)
    if reasons:
        metrics["decisions"] = reasons
    if policy == "iot_ml":
        metrics["thermal_models"] = {
            z.name: {
                "time_constant_h": round(z.thermal.time_constant_h(), 1),
                "heater_gain_c_per_h": round(z.thermal.c("heat"), 2),
                "dead_time_min": z.thermal.lag * 5,
                "train_3h_mae_c": round(z.thermal.check_mae_c, 3),
            }
            for z in home.zones
            if z.thermal is not None
        }
        metrics["tuning"] = {z.name: z.tuning for z in home.zones}
    return metrics, truth


def choose(
    policy: str,
    home: Home,
    zone: Zone,
    slot: int,
    *,
    settings: ClimateSettings,
    future: dict[str, np.ndarray] | None,
    first_eval_slot: int,
) -> tuple[float | None, str]:
    """The setpoint a learning policy sets for ``zone`` at the start of ``slot``."""
    p_now = home.detect(zone, slot - 1)
    if policy == "reactive":
        return (settings.comfort_c, "comfort") if p_now >= 0.5 else (settings.eco_c, "setback")
    assert zone.thermal is not None
    assert zone.occupancy is not None
    series = home.thermal_series(zone, slot - SLOTS_PER_DAY, slot)
    state = state_at(series, SLOTS_PER_DAY - 1, zone.thermal.tau_mass_h)
    state = type(state)(
        **{**{f: getattr(state, f) for f in state.__dataclass_fields__}, "slot": slot}
    )
    window = bool(zone.window and home.channel(zone.window, slot - 1, slot)[0] > 0)
    if policy == "oracle":
        assert future is not None
        occ = future[zone.name]
        i = slot - first_eval_slot
        p_now = float(occ[i])
        forecast = occ[i + 1 : i + 1 + FORECAST_SLOTS]
    else:
        forecast = zone.occupancy.routine.forecast(p_now, slot - 1, FORECAST_SLOTS + 1)[1:]
    if policy == "iot_ml" and zone.settings is not None:
        settings = zone.settings
    # P(someone home) from the phones' presence, as the home-level detector sees it.
    at_home = float(home.channel("_home", slot - 1, slot)[0]) if policy == "iot_ml" else None
    d = decide(
        settings, state, p_now, forecast, zone.thermal, window_open=window, home_occupied=at_home
    )
    return d.setpoint_c, d.reason


def slot_occupancy(truth: dict[str, np.ndarray], zone: str, slots: int) -> np.ndarray:
    """1 when anyone was in ``zone`` during a slot (minutes -> slots), padded for lookahead."""
    occ = truth[f"occupied.{zone}"].astype(np.float64)
    per = SLOT_SECONDS // 60
    n = len(occ) // per
    out = np.zeros(slots + FORECAST_SLOTS + 2)
    out[:n] = occ[: n * per].reshape(n, per).max(axis=1)
    return out


def score(truth: dict[str, np.ndarray], home: Home, settings: ClimateSettings) -> dict[str, Any]:
    """MissTime, energy and the two empty-heating shares (see the module docstring)."""
    occupied_min = missed = 0.0
    energy = empty_energy = empty_comfort = 0.0
    per_zone: dict[str, Any] = {}
    for z in home.zones:
        occ = truth[f"occupied.{z.name}"] > 0
        temp = truth[f"temperature.{z.name}"]
        on = truth[f"heater_on.{z.name}"] > 0
        # Above eco: a setpoint a perfect eco setback would not have asked for (NaN = off).
        above_eco = np.nan_to_num(truth[f"setpoint.{z.name}"], nan=-np.inf) > settings.eco_c + 0.05
        kwh = on * z.heater_w / 60.0 / 1000.0
        miss = occ & (temp < settings.comfort_c - 0.5)
        wasted = kwh[~occ & above_eco].sum()
        occupied_min += occ.sum()
        missed += miss.sum()
        energy += kwh.sum()
        empty_energy += kwh[~occ].sum()
        empty_comfort += wasted
        per_zone[z.name] = {
            "miss_time": round(float(miss.sum() / max(1, occ.sum())), 4),
            "missed_min": int(miss.sum()),
            "occupied_min": int(occ.sum()),
            "energy_kwh": round(float(kwh.sum()), 2),
            "empty_comfort_kwh": round(float(wasted), 2),
            "comfort_share": round(float(above_eco.mean()), 3),
            "occupied_share": round(float(occ.mean()), 3),
        }
    return {
        "miss_time": round(missed / max(1.0, occupied_min), 4),
        "energy_kwh": round(energy, 2),
        "empty_heating_share": round(empty_comfort / max(1e-9, energy), 4),
        "empty_energy_share_any_setpoint": round(empty_energy / max(1e-9, energy), 4),
        "zones": per_zone,
    }


def pareto(policies: dict[str, Any]) -> list[str]:
    """Policies no other policy beats on both MissTime and energy."""
    front = []
    for name, m in policies.items():
        dominated = any(
            o["miss_time"] <= m["miss_time"]
            and o["energy_kwh"] <= m["energy_kwh"]
            and (o["miss_time"], o["energy_kwh"]) != (m["miss_time"], m["energy_kwh"])
            for other, o in policies.items()
            if other != name
        )
        if not dominated:
            front.append(name)
    return front


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--history", type=int, default=21)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--only", default="", help="comma-separated policies (schedule always runs)"
    )
    args = parser.parse_args()
    if args.quick:
        args.days, args.history = 2, 14
    start = datetime.fromisoformat(START).astimezone(ZoneInfo("Europe/Berlin")).timestamp()
    t0 = time.perf_counter()
    policies: dict[str, Any] = {}
    metrics, truth = run_policy(
        "schedule",
        seed=args.seed,
        start=start,
        history_days=args.history,
        days=args.days,
        future=None,
    )
    policies["schedule"] = metrics
    slots = args.days * SLOTS_PER_DAY
    future = {z: slot_occupancy(truth, z, slots) for z in default_home().zone_names}
    first_fit: dict[str, tuple[ThermalModel, OccupancyModel]] = {}
    extra = () if args.quick else EXTRA  # --quick runs in CI: the five policies only
    wanted = [p for p in (*POLICIES, *extra) if p != "schedule"]
    if args.only:
        wanted = [p for p in wanted if p in args.only.split(",")]
    for name in wanted:
        policies[name], other = run_policy(
            name,
            seed=args.seed,
            start=start,
            history_days=args.history,
            days=args.days,
            future=future,
            first_fit=first_fit,
        )
        assert all(
            np.array_equal(other[f"occupied.{z}"], truth[f"occupied.{z}"]) for z in future
        ), "occupancy must not depend on heating"
    base = policies["schedule"]["energy_kwh"]
    for m in policies.values():
        m["energy_vs_schedule"] = round(m["energy_kwh"] / base - 1.0, 4) if base else None
    ours = policies.get("iot_ml")
    report: dict[str, Any] = {
        "seed": args.seed,
        "days": args.days,
        "history_days": args.history,
        "quick": args.quick,
        "definitions": DEFINITIONS,
        "schedule": UserSchedule(default_home()).describe(),
        "policies": {name: policies[name] for name in (*POLICIES, *EXTRA) if name in policies},
        "pareto_front": pareto(policies),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    if ours is not None:
        report["targets"] = {
            "miss_time_le_0.03": bool(ours["miss_time"] <= 0.03),
            "empty_heating_share_le_0.15": bool(ours["empty_heating_share"] <= 0.15),
            "energy_15pct_below_schedule": bool((ours["energy_vs_schedule"] or 0.0) <= -0.15),
        }
    path = write_report(args.out, "preheat", report)
    print(
        f"{'policy':>16} {'MissTime':>9} {'energy kWh':>11} {'vs sched':>9}"
        f" {'empty heat':>11} {'(any setpt)':>11}"
    )
    for name, m in report["policies"].items():
        print(
            f"{name:>16} {m['miss_time']:>9.2%} {m['energy_kwh']:>11.1f}"
            f" {m['energy_vs_schedule']:>+9.1%} {m['empty_heating_share']:>11.1%}"
            f" {m['empty_energy_share_any_setpoint']:>11.1%}"
        )
    print(f"pareto front (MissTime, energy): {', '.join(report['pareto_front'])}")
    print(f"wrote {path} in {report['seconds']} s")


if __name__ == "__main__":
    main()
