"""Occupancy on the virtual home, driven the way the integration drives it.

Each zone's ``Learner`` gets the simulated state changes live (motion, lights, TV, CO2,
temperature; the phones at home level), is trained nightly on what it collected, and is asked
"occupied now?" every 5 minutes, the same calls the coordinator makes. Scored per zone against the
simulator's ground truth over the days after a warm-up; the +60 min forecast likewise.
"""

from datetime import datetime
import math
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from custom_components.iot_ml.engine.core.grid import SLOT_SECONDS, SLOTS_PER_DAY
from custom_components.iot_ml.engine.core.types import ChannelKind, ChannelSpec, Role
from custom_components.iot_ml.engine.household.learner import Learner, train
from simulator import default_home, simulate

TZ = "Europe/Berlin"
ON_STATES = {"on", "home", "playing", "open"}


def _channel(entity_id: str, attributes: dict[str, Any]) -> ChannelSpec | None:
    domain = entity_id.split(".", maxsplit=1)[0]
    if domain in ("binary_sensor", "media_player") and attributes.get("device_class") != "window":
        return ChannelSpec(entity_id, ChannelKind.BINARY, Role.EVIDENCE)
    if domain == "light":
        return ChannelSpec(entity_id, ChannelKind.BINARY, Role.LIGHT)
    if domain == "device_tracker":
        return ChannelSpec(entity_id, ChannelKind.BINARY, Role.PRESENCE)
    if domain == "sensor" and attributes.get("device_class") in ("carbon_dioxide", "temperature"):
        return ChannelSpec(entity_id, ChannelKind.NUMERIC, Role.ENVIRONMENT)
    return None


def _value(spec: ChannelSpec, state: str) -> float:
    if spec.kind is ChannelKind.BINARY:
        return 1.0 if state in ON_STATES else 0.0
    try:
        return float(state)
    except ValueError:
        return math.nan


def _zone_of(entity_id: str, zones: list[str]) -> str | None:
    name = entity_id.split(".", 1)[1]
    if entity_id.startswith("device_tracker."):
        return "home"
    return next((z for z in zones if name == z or name.startswith(f"{z}_")), None)


def run_virtual_home(days: int, warmup_days: int, seed: int = 1) -> dict[str, Any]:
    """Per-zone accuracy now and at +60 min after ``warmup_days``, retrained every night."""
    spec = default_home()
    start = datetime(2026, 1, 5, tzinfo=ZoneInfo(TZ)).timestamp()
    events, truth = simulate(spec, seed, start, days)
    zones = list(spec.zone_names)
    specs: dict[str, dict[str, ChannelSpec]] = {z: {} for z in [*zones, "home"]}
    for event in events:
        zone = _zone_of(event.entity_id, zones)
        channel = _channel(event.entity_id, event.attributes)
        if zone is not None and channel is not None:
            specs[zone].setdefault(event.entity_id, channel)
    learners = {z: Learner(list(s.values()), 28, TZ) for z, s in specs.items()}
    arrays = truth.arrays()
    minute0 = arrays["t"][0]

    def truth_at(zone: str, ts: float) -> float:
        i = int((ts - minute0) // 60)
        key = "residents_home" if zone == "home" else f"occupied.{zone}"
        return float(arrays[key][min(i, len(arrays[key]) - 1)])

    results: dict[str, dict[str, list[float]]] = {z: {"now": [], "h60": []} for z in learners}
    pending: dict[str, list[tuple[float, float]]] = {z: [] for z in learners}  # (due, p)
    i = 0
    tick = start + SLOT_SECONDS
    while tick <= start + days * 86400:
        while i < len(events) and events[i].ts <= tick:
            e = events[i]
            zone = _zone_of(e.entity_id, zones)
            channel = specs[zone].get(e.entity_id) if zone else None
            if zone is not None and channel is not None:
                learners[zone].observe(e.entity_id, e.ts, _value(channel, e.state))
            i += 1
        day = (tick - start) / 86400
        for zone, learner in learners.items():
            if (tick - start) % 86400 == 3 * 3600 and day >= 1:  # nightly training at 03:00
                data = learner.training_input()
                if data is not None:
                    learner.apply(train(data, tick))
            if day < warmup_days or learner.occupancy is None:
                continue
            p = learner.occupancy_now(tick)
            if p is None:
                continue
            y = truth_at(zone, tick - 1)
            results[zone]["now"].append(float((p >= 0.5) == (y >= 0.5)))
            forecast = learner.occupancy.forecast(p, int(tick // SLOT_SECONDS))
            pending[zone].append((tick + 3600, forecast.horizons[60]))
            while pending[zone] and pending[zone][0][0] <= tick:
                _, p60 = pending[zone].pop(0)
                results[zone]["h60"].append(float((p60 >= 0.5) == (y >= 0.5)))
        tick += SLOT_SECONDS
    per_zone = {
        z: {
            "now_acc": round(float(np.mean(r["now"])), 4) if r["now"] else None,
            "h60_acc": round(float(np.mean(r["h60"])), 4) if r["h60"] else None,
            "slots": len(r["now"]),
        }
        for z, r in results.items()
    }
    scored = [v for v in per_zone.values() if v["now_acc"] is not None]
    return {
        "days": days,
        "warmup_days": warmup_days,
        "slots_per_day": SLOTS_PER_DAY,
        "zones": per_zone,
        "mean_now_acc": round(float(np.mean([v["now_acc"] for v in scored])), 4),
        "mean_h60_acc": round(float(np.mean([v["h60_acc"] or 0 for v in scored])), 4),
    }
