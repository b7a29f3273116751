"""Virtual-home part of the anomaly benchmark: injected faults found, and false alerts.

The simulated home's events are fed as the HA glue would: every numeric ``sensor.*`` change to a
``SensorDetector`` (``check`` every 5 minutes), per zone one ``JointDetector`` over the slot's
temperature change, heater power and "heating" share (temperature vs heating), per zone one
``ActivityDetector`` on its motion sensor and one for the whole home on all motion/door
sensors, with "observed empty" from the phones. All at the default (medium) sensitivity.
A fault counts as found when an alert about its target starts between its start and one hour
after its end (an intrusion: an unusual-activity alert of the home or a zone); every other alert
after the 14-day learning period is a false alert. The occupancy model is not wired in yet
(``predicted_empty`` stays None): the phones alone say "empty".
"""

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from custom_components.iot_ml.engine.anomaly.activity import ActivityConfig, ActivityDetector
from custom_components.iot_ml.engine.anomaly.joint import JointConfig, JointDetector
from custom_components.iot_ml.engine.anomaly.sensor import SensorConfig, SensorDetector
from custom_components.iot_ml.engine.anomaly.types import Episode, Kind
from simulator import VirtualHome, default_home

SLOT = 300.0
LEARNING_DAYS = 14
RANGES = {  # physical ranges the glue would derive from the device class
    "temperature": (-20.0, 50.0),
    "humidity": (0.0, 100.0),
    "co2": (250.0, 10000.0),
    "illuminance": (0.0, 200000.0),
    "power": (0.0, 20000.0),
}
JOINT = ("temp_change", "heater_power", "heating")


def _range(entity: str) -> tuple[float | None, float | None]:
    for word, span in RANGES.items():
        if entity.endswith(word):
            return span
    return None, None


def _zone_of(key: str, zones: list[str]) -> str:
    for z in sorted(zones, key=len, reverse=True):
        if z in key:
            return z
    return "home"


class HomeWatch:
    """The detectors of one home, fed from state changes."""

    def __init__(self, zones: list[str], tz: str) -> None:
        self.zones, self.tz = zones, tz
        self.sensors: dict[str, SensorDetector] = {}
        self.joint = {z: JointDetector(JointConfig(z, JOINT)) for z in zones}
        # Unusual inactivity is a household (welfare) signal: a zone is often still for hours
        # while people are elsewhere, so zones watch unusual activity only.
        self.zone_activity = {
            z: ActivityDetector(ActivityConfig(z, tz=tz, inactivity=False)) for z in zones
        }
        self.home_activity = ActivityDetector(ActivityConfig("home", tz=tz))
        self.alerts: list[Episode] = []
        self.on: dict[str, bool] = {}  # binary evidence state
        self.slot_active: set[str] = set()
        self.trackers: dict[str, bool] = {}
        self.temp_last: dict[str, float] = {}
        self.temp_slot_start: dict[str, float] = {}
        self.power: dict[str, float] = {}
        self.heating: dict[str, float] = {}
        self.samples = 0

    def feed(self, ts: float, entity: str, state: str, attrs: dict[str, Any]) -> None:
        """One state change."""
        if entity.startswith("sensor."):
            det = self.sensors.get(entity)
            if det is None:
                low, high = _range(entity)
                det = self.sensors[entity] = SensorDetector(
                    SensorConfig(entity, low=low, high=high, tz=self.tz)
                )
            try:
                value: float | None = float(state)
            except ValueError:
                value = None
            self._note(det.update(ts, value).alert)
            self.samples += 1
            if value is not None and entity.endswith("_temperature"):
                self.temp_last[entity] = value
            if value is not None and entity.endswith("_heater_power"):
                self.power[entity[7:-13]] = value
        elif entity.startswith(("binary_sensor.", "media_player.")):
            on = state in ("on", "playing")
            self.on[entity] = on
            if on:
                self.slot_active.add(entity)
        elif entity.startswith("device_tracker."):
            self.trackers[entity] = state == "home"
        elif entity.startswith("climate."):
            self.heating[entity[8:]] = 1.0 if attrs.get("hvac_action") == "heating" else 0.0

    def close_slot(self, ts: float) -> None:
        """Every 5 minutes: time-based checks, joint checks and activity."""
        for det in self.sensors.values():
            self._note(det.check(ts).alert)
        active = self.slot_active | {e for e, on in self.on.items() if on}
        empty = bool(self.trackers) and not any(self.trackers.values())
        for z in self.zones:
            key = f"sensor.{z}_temperature"
            now = self.temp_last.get(key)
            before = self.temp_slot_start.get(key, now)
            change = None if now is None or before is None else now - before
            self.temp_slot_start[key] = now if now is not None else before  # type: ignore[assignment]
            values = {
                "temp_change": change,
                "heater_power": self.power.get(z),
                "heating": self.heating.get(z),
            }
            self._note(self.joint[z].update(ts, values).alert)
            evidence = float(f"binary_sensor.{z}_motion" in active)
            self._note(self.zone_activity[z].update(ts, evidence, observed_empty=empty).alert)
        evidence = float(sum(1 for e in active if "motion" in e or "door" in e))
        self._note(self.home_activity.update(ts, evidence, observed_empty=empty).alert)
        self.slot_active = set()

    def _note(self, alert: Episode | None) -> None:
        if alert is not None:
            self.alerts.append(alert)


def run_home(days: int, seed: int = 1) -> dict[str, Any]:
    """Simulate ``days`` days, feed every change, match alerts to the injected faults."""
    spec = default_home()
    start = datetime(2026, 1, 5, tzinfo=UTC).timestamp()
    home = VirtualHome(spec, seed, start)
    watch = HomeWatch(list(spec.zone_names), spec.time_zone)
    for ch in home.initial_states():
        watch.feed(ch.ts, ch.entity_id, ch.state, ch.attributes)
    t = start
    while t < start + days * 86400.0:
        for ch in home.advance(t + SLOT):
            watch.feed(ch.ts, ch.entity_id, ch.state, ch.attributes)
        t += SLOT
        watch.close_slot(t)
    learned = start + LEARNING_DAYS * 86400.0
    faults = [f for f in home.truth.faults if f.start >= learned and f.end <= t]
    matched: set[str] = set()
    per_kind: dict[str, list[float | None]] = defaultdict(list)
    kinds_seen: dict[str, list[str]] = defaultdict(list)
    for f in faults:
        hits = [
            a for a in watch.alerts if f.start <= a.start <= f.end + 3600.0 and _about(a, f.target)
        ]
        matched |= {a.id for a in hits}
        per_kind[f.kind].append(min(a.start for a in hits) - f.start if hits else None)
        kinds_seen[f.kind] += sorted({a.kind.value for a in hits})
    false = [a for a in watch.alerts if a.start >= learned and a.id not in matched]
    weeks = (t - learned) / (7 * 86400.0)
    zones = [*watch.zones, "home"]
    by_zone = dict.fromkeys(zones, 0)
    for a in false:
        by_zone[_zone_of(a.key, watch.zones)] += 1
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
        "false_alerts_per_zone_week": round(len(false) / len(zones) / weeks, 3),
        "false_alerts_by_zone_week": {z: round(n / weeks, 2) for z, n in by_zone.items()},
        "false_alert_kinds": dict(sorted(_count(a.kind.value for a in false).items())),
        "false_alerts_by_source": dict(
            sorted(_count(f"{a.kind.value} {_source(a.key)}" for a in false).items())
        ),
        "false_alert_examples": [
            f"{a.key} {a.kind.value} {datetime.fromtimestamp(a.start, UTC):%m-%d %H:%M}"
            for a in false[:15]
        ],
        "sensor_samples": watch.samples,
    }


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
