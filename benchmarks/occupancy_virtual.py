"""Occupancy on the virtual home, through the household the integration runs.

iot_ml is installed on the virtual home at the start (``harness.simulated_home``: zones as the
config flow suggests them, the phones as presence); the simulated state changes are replayed
live, the household ticks every 5 minutes and trains every night at its training time. At each
tick after the warm-up, each zone's P(occupied now) and its +60 min forecast (the values the
occupancy entities show) are scored against the simulator's ground truth. Beside them, in the
same run, the simple rule a user would set: "occupied while motion was seen in the last 15
minutes" (zones) and "anyone's phone home" (the home).
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from benchmarks.harness import HOME, simulated_home
from custom_components.iot_ml.engine.core import SLOT_SECONDS

TZ = "Europe/Berlin"
MOTION_TIMEOUT_S = 15 * 60


def run_virtual_home(days: int, warmup_days: int, seed: int = 1) -> dict[str, Any]:
    """Per-zone accuracy now and at +60 min after ``warmup_days``, retrained every night."""
    start = datetime(2026, 1, 5, tzinfo=ZoneInfo(TZ)).timestamp()
    sim, replay = simulated_home(seed, start)
    zones = [*sim.spec.zone_names, HOME]
    scored_from = start + warmup_days * 86400
    # Per tick: (ts, zone, p_now, p_60, rule)
    rows: list[tuple[float, str, float, float, float]] = []
    last_motion: dict[str, float] = {}

    def on_tick(ts: float) -> None:
        if ts < scored_from:
            return
        for key in zones:
            occupancy = replay.zone(key).occupancy
            if occupancy is None:
                continue
            rows.append(
                (ts, key, occupancy.probability, occupancy.probability_in(60), rule(key, ts))
            )

    def rule(key: str, ts: float) -> float:
        if key == HOME:
            phones = [s for e, s in replay.states.items() if e.startswith("device_tracker.")]
            return float(any(s.state == "home" for s in phones))
        return float(ts - last_motion.get(key, -1e18) <= MOTION_TIMEOUT_S)

    replay.hooks.on_tick = on_tick
    motion = {f"binary_sensor.{z}_motion": z for z in sim.spec.zone_names}
    day = start
    while day < start + days * 86400:
        day += 86400
        for change in sim.advance(day):
            if change.entity_id in motion and change.state == "on":
                last_motion[motion[change.entity_id]] = change.ts
            replay.push(change)
        replay.clock(day)
    return _score(rows, sim.truth.arrays(), zones, days, warmup_days)


def _score(
    rows: list[tuple[float, str, float, float, float]],
    truth: dict[str, np.ndarray],
    zones: list[str],
    days: int,
    warmup_days: int,
) -> dict[str, Any]:
    minute0 = float(truth["t"][0])

    def truth_at(key: str, ts: float) -> float:
        series = truth["residents_home" if key == HOME else f"occupied.{key}"]
        return float(series[min(int((ts - minute0) // 60), len(series) - 1)])

    per_zone: dict[str, Any] = {}
    for key in zones:
        mine = [r for r in rows if r[1] == key]
        if not mine:
            per_zone[key] = {"now_acc": None, "h60_acc": None, "rule_now_acc": None, "slots": 0}
            continue
        y_now = np.array([truth_at(key, ts - 1) >= 0.5 for ts, *_ in mine])
        y_60 = np.array([truth_at(key, ts + 3600 - 1) >= 0.5 for ts, *_ in mine])
        now = np.array([p >= 0.5 for _, _, p, _, _ in mine])
        h60 = np.array([p >= 0.5 for _, _, _, p, _ in mine])
        rule = np.array([r >= 0.5 for *_, r in mine])
        keep = np.array([ts + 3600 <= float(truth["t"][-1]) for ts, *_ in mine])
        per_zone[key] = {
            "now_acc": round(float(np.mean(now == y_now)), 4),
            "h60_acc": round(float(np.mean((h60 == y_60)[keep])), 4),
            "rule_now_acc": round(float(np.mean(rule == y_now)), 4),
            "slots": len(mine),
        }
    scored = [v for v in per_zone.values() if v["now_acc"] is not None]
    return {
        "days": days,
        "warmup_days": warmup_days,
        "tick_seconds": SLOT_SECONDS,
        "rule": "zones: motion within the last 15 min; home: any phone home",
        "zones": per_zone,
        "mean_now_acc": round(float(np.mean([v["now_acc"] for v in scored])), 4),
        "mean_h60_acc": round(float(np.mean([v["h60_acc"] for v in scored])), 4),
        "mean_rule_now_acc": round(float(np.mean([v["rule_now_acc"] for v in scored])), 4),
    }
