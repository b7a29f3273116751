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
- iot_ml: the shipped product. iot_ml is installed on the home at the start
  (``benchmarks/harness.py``: zones as the config flow suggests them, the phones as presence),
  learns live from the simulated sensors (never the ground truth), trains every night, and
  smart climate sends each zone's thermostat what the household decides (``climate_commands``),
  at every tick and every pushed occupancy change. The thermostats are put on hold when the
  evaluation starts, as a user does when handing them to smart climate.
- oracle: the shipped decision (``decide``) with the shipped thermal models and thresholds, told
  the true occupancy now and for the next 8 hours.

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
import copy
from datetime import datetime
from pathlib import Path
import time
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from benchmarks.common import write_report
from benchmarks.harness import Replay, simulated_home
from benchmarks.preheat_schedule import UserSchedule
from custom_components.iot_ml.engine.climate import ClimateSettings, decide
from custom_components.iot_ml.engine.climate.snapshot import climate_settings, tuned_settings
from custom_components.iot_ml.engine.core import SLOT_SECONDS, SLOTS_PER_DAY, slot_of
from simulator import default_home

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
FORECAST_SLOTS = 96  # 8 h: the oracle's look-ahead, as far as the policy plans


class Run:
    """One policy's run: the virtual home and, for the learning policies, iot_ml on it."""

    def __init__(self, sim: Any, replay: Replay) -> None:
        self.sim = sim
        self.replay = replay
        self.zones = [z.name for z in sim.spec.zones]
        self.heater_w = {z.name: z.heater_w for z in sim.spec.zones}


def history(seed: int, start: float, history_days: int) -> Run:
    """iot_ml installed on the virtual home at ``start``, live through ``history_days`` under
    the home's default schedule (nightly training included): what every policy starts from."""
    sim, replay = simulated_home(seed, start)
    replay.feed(sim.advance(start + history_days * 86400.0), start + history_days * 86400.0)
    return Run(sim, replay)


def run_policy(
    policy: str,
    base: Run,
    *,
    days: int,
    future: dict[str, np.ndarray] | None,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Simulate one policy from a copy of ``base``; its metrics and the evaluation truth."""
    run = copy.deepcopy(base)
    sim, replay = run.sim, run.replay
    spec = sim.spec
    settings = ClimateSettings(
        comfort_c=spec.comfort_c, eco_c=spec.eco_c, min_temp_c=7.0, max_temp_c=30.0
    )
    eval_start = replay.now
    first_eval_slot = slot_of(eval_start)
    t0 = time.perf_counter()
    # Smart climate needs the thermostat on hold (its own schedule would read as a manual change
    # and pause it): hold each zone at what its schedule says now.
    if policy != "default_schedule":
        for zone in run.zones:
            sim.set_heating_setpoint(zone, sim.setpoint(zone))
    if policy == "always":
        for zone in run.zones:
            sim.set_heating_setpoint(zone, settings.comfort_c)
    user = UserSchedule(spec) if policy == "schedule" else None
    reasons: dict[str, int] = {}
    last: dict[str, float | None] = {}

    def act(ts: float) -> None:
        slot = slot_of(ts)
        for zone in run.zones:
            if policy == "iot_ml":
                decision = replay.zone(zone).thermal
                if decision is not None:
                    reasons[decision.decision.reason] = reasons.get(decision.decision.reason, 0) + 1
                for service, data in replay.climate_commands(zone):
                    if service == "set_hvac_mode":
                        sim.set_hvac_mode(zone, str(data["hvac_mode"]))
                    else:
                        sim.set_heating_setpoint(zone, float(data["temperature"]))
                continue
            setpoint = choose(policy, replay, zone, slot, settings, future, first_eval_slot)
            if setpoint is not None and last.get(zone, -1.0) != setpoint:
                sim.set_heating_setpoint(zone, setpoint)
                last[zone] = setpoint

    learning = policy in ("reactive", "iot_ml", "oracle")
    if learning:
        replay.hooks.on_tick = act
        if policy == "iot_ml":  # smart climate also follows every pushed occupancy change
            replay.hooks.on_update = lambda ts, _result: act(ts)
    for k in range(days * SLOTS_PER_DAY):
        slot = first_eval_slot + k
        if user is not None:
            for zone in run.zones:
                programmed = user.setpoint(zone, slot)
                if last.get(zone) != programmed:
                    sim.set_heating_setpoint(zone, programmed)
                    last[zone] = programmed
        until = (slot + 1) * SLOT_SECONDS
        changes = sim.advance(until)
        if learning:
            replay.feed(changes, until)
    seconds = time.perf_counter() - t0
    truth = sim.truth.arrays()
    keep = truth["t"] >= eval_start
    truth = {k: v[keep] for k, v in truth.items()}
    metrics = score(truth, run, settings)
    metrics["seconds"] = round(seconds, 1)
    if reasons:
        metrics["decisions"] = reasons
    if policy == "iot_ml":
        metrics["thermal_models"] = {}
        metrics["tuning"] = {}
        for zone in run.zones:
            learner = replay.zone(zone).learner
            model = learner.thermal
            if model is not None:
                metrics["thermal_models"][zone] = {
                    "time_constant_h": round(model.time_constant_h(), 1),
                    "heater_gain_c_per_h": round(model.c("heat"), 2),
                    "dead_time_min": model.lag * 5,
                    "train_3h_mae_c": round(model.check_mae_c, 3),
                }
            metrics["tuning"][zone] = {
                "arrival_threshold": learner.arrival_threshold,
                "home_thresholds": learner.home_thresholds,
            }
    return metrics, truth


def choose(  # noqa: PLR0917
    policy: str,
    replay: Replay,
    zone: str,
    slot: int,
    settings: ClimateSettings,
    future: dict[str, np.ndarray] | None,
    first_eval_slot: int,
) -> float | None:
    """The setpoint the reactive rule or the oracle sets for ``zone`` at ``slot``'s start."""
    occupancy = replay.zone(zone).occupancy
    if policy == "reactive":
        if occupancy is None:
            return None
        return settings.comfort_c if occupancy.occupied else settings.eco_c
    # The oracle: the shipped decision with the shipped thermal model and tuned thresholds, told
    # the true occupancy now and ahead.
    assert future is not None
    thermal = replay.zone(zone).thermal
    learner = replay.zone(zone).learner
    if thermal is None or learner.thermal is None:
        return None
    reading = replay.reading(zone)
    tuned = tuned_settings(
        climate_settings(settings.comfort_c, settings.eco_c, reading.thermostat),
        learner.arrival_threshold,
        learner.home_thresholds,
    )
    i = slot - first_eval_slot
    occ = future[zone]
    decision = decide(
        tuned,
        thermal.state,
        float(occ[i]),
        occ[i + 1 : i + 1 + FORECAST_SLOTS],
        learner.thermal,
        window_open=thermal.window_open,
        home_occupied=replay.household.home_occupied(),
    )
    return decision.setpoint_c


def slot_occupancy(truth: dict[str, np.ndarray], zone: str, slots: int) -> np.ndarray:
    """1 when anyone was in ``zone`` during a slot (minutes -> slots), padded for lookahead."""
    occ = truth[f"occupied.{zone}"].astype(np.float64)
    per = SLOT_SECONDS // 60
    n = len(occ) // per
    out = np.zeros(slots + FORECAST_SLOTS + 2)
    out[:n] = occ[: n * per].reshape(n, per).max(axis=1)
    return out


def score(truth: dict[str, np.ndarray], run: Run, settings: ClimateSettings) -> dict[str, Any]:
    """MissTime, energy and the two empty-heating shares (see the module docstring)."""
    occupied_min = missed = 0.0
    energy = empty_energy = empty_comfort = 0.0
    per_zone: dict[str, Any] = {}
    for name in run.zones:
        occ = truth[f"occupied.{name}"] > 0
        temp = truth[f"temperature.{name}"]
        on = truth[f"heater_on.{name}"] > 0
        # Above eco: a setpoint a perfect eco setback would not have asked for (NaN = off).
        above_eco = np.nan_to_num(truth[f"setpoint.{name}"], nan=-np.inf) > settings.eco_c + 0.05
        kwh = on * run.heater_w[name] / 60.0 / 1000.0
        miss = occ & (temp < settings.comfort_c - 0.5)
        wasted = kwh[~occ & above_eco].sum()
        occupied_min += occ.sum()
        missed += miss.sum()
        energy += kwh.sum()
        empty_energy += kwh[~occ].sum()
        empty_comfort += wasted
        per_zone[name] = {
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
    base_run = history(args.seed, start, args.history)
    policies: dict[str, Any] = {}
    metrics, truth = run_policy("schedule", base_run, days=args.days, future=None)
    policies["schedule"] = metrics
    slots = args.days * SLOTS_PER_DAY
    future = {z: slot_occupancy(truth, z, slots) for z in base_run.zones}
    extra = () if args.quick else EXTRA  # --quick runs in CI: the five policies only
    wanted = [p for p in (*POLICIES, *extra) if p != "schedule"]
    if args.only:
        wanted = [p for p in wanted if p in args.only.split(",")]
    for name in wanted:
        policies[name], other = run_policy(name, base_run, days=args.days, future=future)
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
