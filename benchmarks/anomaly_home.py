"""Virtual-home part of the anomaly benchmark: injected faults found, and false alerts.

iot_ml is installed on the virtual home with faults injected (``harness.simulated_home``: zones
as the config flow suggests them, every numeric sensor watched, the phones as presence, medium
sensitivity) and the simulated changes are replayed through the shipped household: its sensor
detectors, per-zone joint check, zone activity and the whole home's activity, exactly as the
integration wires them. The alerts are the anomaly events its event entities receive. A fault
counts as found when an alert about its target starts between its start and one hour after its
end (an intrusion: an unusual-activity alert of the home or a zone); every other alert after the
14-day learning period is a false alert.
"""

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from benchmarks.harness import HOME, simulated_home
from custom_components.iot_ml.engine.anomaly import CLEARED, Episode, Kind

LEARNING_DAYS = 14


def run_home(days: int, seed: int = 1) -> dict[str, Any]:
    """Simulate ``days`` days with faults, replay them, match alerts to the injected faults."""
    start = datetime(2026, 1, 5, tzinfo=UTC).timestamp()
    sim, replay = simulated_home(seed, start, faults=True)
    t = start
    while t < start + days * 86400.0:
        t += 86400.0
        replay.feed(sim.advance(t), t)
    alerts = [e.episode for _, _, e in replay.events if e.event_type != CLEARED]
    zones = list(sim.spec.zone_names)
    learned = start + LEARNING_DAYS * 86400.0
    faults = [f for f in sim.truth.faults if f.start >= learned and f.end <= t]
    matched: set[str] = set()
    per_kind: dict[str, list[float | None]] = defaultdict(list)
    kinds_seen: dict[str, list[str]] = defaultdict(list)
    for f in faults:
        hits = [a for a in alerts if f.start <= a.start <= f.end + 3600.0 and _about(a, f.target)]
        matched |= {a.id for a in hits}
        per_kind[f.kind].append(min(a.start for a in hits) - f.start if hits else None)
        kinds_seen[f.kind] += sorted({a.kind.value for a in hits})
    false = [a for a in alerts if a.start >= learned and a.id not in matched]
    weeks = (t - learned) / (7 * 86400.0)
    by_zone = dict.fromkeys([*zones, HOME], 0)
    for a in false:
        by_zone[_zone_of(a.key, zones)] += 1
    return {
        "days": days,
        "weeks_scored": round(weeks, 2),
        "faults": {
            kind: {
                "count": len(d),
                "recall": round(sum(x is not None for x in d) / len(d), 3),
                "delay_min": [None if x is None else round(x / 60.0, 1) for x in d],
                "alert_kinds": sorted(set(kinds_seen[kind])),
            }
            for kind, d in sorted(per_kind.items())
        },
        "false_alerts": len(false),
        "false_alerts_per_zone_week": round(len(false) / len(by_zone) / weeks, 3),
        "false_alerts_by_zone_week": {z: round(n / weeks, 2) for z, n in by_zone.items()},
        "false_alert_kinds": dict(sorted(_count(a.kind.value for a in false).items())),
        "false_alerts_by_source": dict(
            sorted(_count(f"{a.kind.value} {_source(a.key)}" for a in false).items())
        ),
        "false_alert_examples": [
            f"{a.key} {a.kind.value} {datetime.fromtimestamp(a.start, UTC):%m-%d %H:%M}"
            for a in false[:15]
        ],
    }


def _zone_of(key: str, zones: list[str]) -> str:
    for z in sorted(zones, key=len, reverse=True):
        if z in key:
            return z
    return HOME


def _about(alert: Episode, target: str) -> bool:
    key = alert.key
    if target == "home":  # intrusion: unusual activity in the home or one of its zones
        return alert.kind is Kind.UNUSUAL_ACTIVITY and key.endswith(":activity")
    return key == target or key.startswith((f"{target}/", f"sensor.{target}_"))


def _source(key: str) -> str:
    """What an alert is about, without the zone: "temperature", "joint", "activity"..."""
    if key.startswith("sensor."):
        return key.rsplit("_", 1)[-1] if "_" in key else key
    return "joint" if "/" in key else "activity"


def _count(items: Any) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for x in items:
        out[x] += 1
    return dict(out)
