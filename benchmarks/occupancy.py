"""Occupancy benchmark: the shipped household on real homes (Kasteren A, Ordóñez A), the UCI
office and the virtual home, against simple rules computed from the same data in the same run.

- homes.<home>: the dataset's sensor events become Home Assistant state changes
  (``binary_sensor.<name>`` on/off, a device class as the sensor is described: the front door
  and contacts on doors, cupboards and appliance doors "door", PIR and other activity "motion",
  pressure mats "occupancy"), all in ONE zone, and a home without presence trackers (its
  occupancy then comes from its zones, as the integration computes it). iot_ml is installed at the
  first event (``harness.Replay``: the integration's readers, a tick every 5 minutes, training
  every night at 03:00) and nothing else is given to it: no labels, no front-door rule. Every
  5-minute tick records what the entities would show: the home's (``ours``) and the zone's
  (``zone``) P(occupied now) and P(occupied in 30/60/120 min); the 23:55 tick's 24 h forecast is
  the day-ahead forecast of the next day. Walk-forward is implicit: a day is predicted only by
  models trained on earlier nights. Truth: home unless inside a "leave house"/"Leaving" interval,
  read at each tick's instant (the start of the slot the tick opens); a value shown at tick t is
  scored against the truth at t, a forecast for t + h against the truth at t + h. Days from the
  fourth local day on (from ``--test-from`` on, when given) are scored; slot-weighted means
  in ``summary``.
  Baselines from the data, on the same grid: wasp-in-a-box (front door + interior activity;
  its state carried forward for the horizons), persistence of the true state, always home, the
  time-of-week prior and a Markov chain started from the true state (both fitted on the true
  state of earlier days).
- uci: the office has only numeric sensors (light, CO2, temperature, humidity). They are replayed
  through the household as one zone of environment sensors; the shipped product learns occupancy
  only for zones with binary evidence (``Zone.has_evidence``), so it produces none, and the report
  says so (``shipped``). Beside it, scikit-learn LDA, LogisticRegression (standardised) and
  RandomForest trained on ``datatraining.txt`` and scored per minute on each ``datatest*.txt``,
  with all sensors and without light, and the time-of-week prior of the training labels.
- virtual_home: the simulated home driven through the household as the integration drives it,
  per zone against the truth (``occupancy_virtual``).
"""

import argparse
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
import math
from pathlib import Path
import re
import time
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from benchmarks.common import write_report
from benchmarks.harness import Hooks, Replay, home_config, zone_config
from benchmarks.occupancy_virtual import run_virtual_home
from benchmarks.wasp import wasp_at_slot_starts
from custom_components.iot_ml.engine.core.grid import SLOT_SECONDS, slot_of
from custom_components.iot_ml.engine.household import HOME, Zone
from custom_components.iot_ml.engine.occupancy.routine import (
    HORIZONS,
    day_starts,
    fit_routine,
    rolling_backtest,
    score,
)
from simulator.events import StateChange

REPO_ROOT = Path(__file__).resolve().parents[1]
PROFILES = {
    "all": ["Temperature", "Humidity", "Light", "CO2", "HumidityRatio"],
    "no_light": ["Temperature", "Humidity", "CO2", "HumidityRatio"],
}
ZONE = "all_rooms"  # the one zone holding every sensor of a home
FRONT_DOOR = "binary_sensor.front_door"
MIN_DAYS = 3  # the first days are not scored (nothing, or one night, learned yet)
SHIPPED_NONE = "no occupancy: the product needs a binary evidence sensor"


def _epoch(text: str, fmt: str, tz: str) -> float:
    return datetime.strptime(text, fmt).replace(tzinfo=ZoneInfo(tz)).timestamp()


def _round(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)


# -- the homes' data --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sensor:
    """One interval a binary sensor was on: (start, end) epoch seconds, entity, device class."""

    start: float
    end: float
    entity_id: str
    device_class: str


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def read_kasteren(folder: Path) -> tuple[list[Sensor], list[tuple[float, float]]]:
    """Sensor intervals and "leave house" intervals of Kasteren house A (Amsterdam time)."""
    pat = re.compile(
        r"(\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d)\s+(\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d)\s+(\d+)"
    )
    fmt, tz = "%d-%b-%Y %H:%M:%S", "Europe/Amsterdam"
    sense = (folder / "kasterenSenseData.txt").read_text().splitlines()
    names = {m[1]: m[2] for line in sense if (m := re.match(r"\s*\[\s*(\d+)\]\s+'([^']+)'", line))}

    def rows(name: str) -> list[tuple[float, float, str]]:
        found = (pat.match(line) for line in (folder / name).read_text().splitlines())
        return [(_epoch(m[1], fmt, tz), _epoch(m[2], fmt, tz), m[3]) for m in found if m]

    def sensor(a: float, b: float, sid: str) -> Sensor:
        name = names.get(sid, f"sensor {sid}")
        if name == "Frontdoor":
            return Sensor(a, b, FRONT_DOOR, "door")
        # Reed contacts on doors, cupboards and appliance doors; a float on the toilet flush.
        kind = "motion" if name == "ToiletFlush" else "door"
        return Sensor(a, b, f"binary_sensor.{_slug(name)}", kind)

    sensors = [sensor(*r) for r in rows("kasterenSenseData.txt")]
    leave = [(a, b) for a, b, i in rows("kasterenActData.txt") if i == "1"]
    return sensors, leave


ORDONEZ_CLASSES = {"PIR": "motion", "Magnetic": "door", "Pressure": "occupancy"}


def read_ordonez(folder: Path, home: str = "A") -> tuple[list[Sensor], list[tuple[float, float]]]:
    """Sensor intervals and "Leaving" intervals of one Ordóñez home (Madrid time)."""
    fmt, tz = "%Y-%m-%d %H:%M:%S", "Europe/Madrid"

    def rows(name: str) -> list[list[str]]:
        text = (folder / name).read_text(encoding="latin-1").splitlines()[2:]
        return [[f.strip() for f in line.split("\t") if f.strip()] for line in text if line.strip()]

    def sensor(r: list[str]) -> Sensor:
        a, b = _epoch(r[0], fmt, tz), _epoch(r[1], fmt, tz)
        if r[2] == "Maindoor":
            return Sensor(a, b, FRONT_DOOR, "door")
        # PIR, magnetic contacts, bed and seat pressure mats; flush and electric: activity.
        return Sensor(a, b, f"binary_sensor.{_slug(r[2])}", ORDONEZ_CLASSES.get(r[3], "motion"))

    sensors = [sensor(r) for r in rows(f"Ordonez{home}_Sensors.txt")]
    leave = [
        (_epoch(r[0], fmt, tz), _epoch(r[1], fmt, tz))
        for r in rows(f"Ordonez{home}_ADLs.txt")
        if r[2] == "Leaving"
    ]
    return sensors, leave


def state_changes(sensors: list[Sensor], start: float) -> list[StateChange]:
    """What Home Assistant would deliver: every sensor's state at ``start`` (the install), then
    its on/off changes in time order (an interval inside another of the same sensor changes
    nothing, as Home Assistant fires no event for a state that stays)."""
    attrs = {s.entity_id: {"device_class": s.device_class} for s in sensors}
    raw: list[tuple[float, int, str]] = []
    for s in sensors:
        raw += [(s.start, 1, s.entity_id), (s.end, -1, s.entity_id)]
    raw.sort()  # at equal times an "off" first, so back-to-back intervals read as off then on
    depth = dict.fromkeys(attrs, 0)  # intervals of each sensor open now
    i = 0
    while i < len(raw) and raw[i][0] <= start:
        depth[raw[i][2]] += raw[i][1]
        i += 1
    shown = {e: depth[e] > 0 for e in attrs}
    out = [StateChange(start, e, "on" if shown[e] else "off", attrs[e]) for e in sorted(attrs)]
    for ts, step, entity in raw[i:]:
        depth[entity] += step
        if (depth[entity] > 0) != shown[entity]:
            shown[entity] = depth[entity] > 0
            out.append(StateChange(ts, entity, "on" if shown[entity] else "off", attrs[entity]))
    return out


def truth_at_slot_starts(
    leave: list[tuple[float, float]], start_slot: int, count: int
) -> np.ndarray:
    """1 = home at the start of each slot (not inside a leaving interval), 0 = away."""
    at = (start_slot + np.arange(count)) * SLOT_SECONDS
    away = np.zeros(count, dtype=bool)
    for a, b in leave:
        away |= (at >= a) & (at < b)
    return (~away).astype(np.float64)


def wasp_baseline(sensors: list[Sensor], start_slot: int, count: int) -> np.ndarray:
    """Wasp-in-a-box from the front door and every other sensor's activity (on and off)."""
    door = [s for s in sensors if s.entity_id == FRONT_DOOR]
    inside = [s for s in sensors if s.entity_id != FRONT_DOOR]
    activity = np.array([t for s in inside for t in (s.start, s.end)])
    return wasp_at_slot_starts(
        np.array([s.start for s in door]),
        np.array([s.end for s in door]),
        activity,
        start_slot,
        count,
    )


# -- replaying a home through the household -----------------------------------------------------


class Recorder:
    """What the occupancy entities of one zone (or the home) show at each tick."""

    def __init__(self, start_slot: int, count: int, day_ends: set[int]) -> None:
        """Empty records for slots ``[start_slot, start_slot + count)``."""
        self.start_slot, self.count, self.day_ends = start_slot, count, day_ends
        self.now = np.full(count, np.nan)
        self.ahead = {h: np.full(count, np.nan) for h in HORIZONS}
        self.day_ahead: dict[int, np.ndarray] = {}  # tick index at 23:55 -> next 24 h

    def record(self, zone: Zone, ts: float) -> None:
        """Take what ``zone`` shows at the tick ``ts`` (nothing before its first training)."""
        i = slot_of(ts) - self.start_slot
        occupancy = zone.occupancy
        if not 0 <= i < self.count or occupancy is None:
            return
        self.now[i] = occupancy.probability
        for h in HORIZONS:
            self.ahead[h][i] = occupancy.probability_in(h * 5)
        if i + 1 in self.day_ends:
            self.day_ahead[i] = np.array(occupancy.forecast.series)

    def score_day(self, truth: np.ndarray, d0: int, d1: int) -> dict[str, Any]:
        """Accuracy and Brier of what was shown for the slots of one day."""
        y = truth[d0:d1]
        rec: dict[str, Any] = {"coverage": round(float(np.mean(~np.isnan(self.now[d0:d1]))), 4)}
        s = score(self.now[d0:d1], y)
        rec["now_acc"], rec["now_brier"] = _round(s.accuracy), _round(s.brier)
        for h in HORIZONS:  # made h slots before each slot of the day
            made = np.arange(d0 - h, d1 - h)
            s = score(np.where(made >= 0, self.ahead[h][np.maximum(made, 0)], np.nan), y)
            rec[f"h{h * 5}_acc"], rec[f"h{h * 5}_brier"] = _round(s.accuracy), _round(s.brier)
        series = self.day_ahead.get(d0 - 1)
        pred = np.full(d1 - d0, np.nan) if series is None else series[: d1 - d0]
        s = score(pred, y)
        rec["day_ahead_acc"], rec["day_ahead_brier"] = _round(s.accuracy), _round(s.brier)
        return rec


def run_home(
    sensors: list[Sensor],
    leave: list[tuple[float, float]],
    tz: str,
    test_from: str | None = None,
) -> dict[str, Any]:
    """Replay one home live through the household from its first event; score it per day."""
    t0 = time.perf_counter()
    first = min(s.start for s in sensors)
    day0 = datetime.fromtimestamp(first, ZoneInfo(tz)).replace(hour=0, minute=0, second=0)
    start_slot = slot_of(day0.timestamp())
    last = max([s.end for s in sensors] + [b for _, b in leave])
    count = slot_of(last) + 1 - start_slot
    truth = truth_at_slot_starts(leave, start_slot, count)
    starts = day_starts(start_slot, count, tz)
    home = Recorder(start_slot, count, set(starts))
    zone = Recorder(start_slot, count, set(starts))

    changes = state_changes(sensors, first)
    classes = {c.entity_id: dict(c.attributes) for c in changes}
    replay = Replay(
        home_config([], None),
        [zone_config(ZONE, "All rooms", classes)],
        tz,
        first,
        title="Home",
    )

    def on_tick(ts: float) -> None:
        home.record(replay.zone(HOME), ts)
        zone.record(replay.zone(ZONE), ts)

    replay.hooks = Hooks(on_tick=on_tick)
    replay.feed(changes, until=(start_slot + count) * SLOT_SECONDS)
    replay_s = time.perf_counter() - t0

    wasp = wasp_baseline(sensors, start_slot, count)
    markov = rolling_backtest(truth, start_slot, tz, min_days=MIN_DAYS)
    rule = rolling_backtest(truth, start_slot, tz, origin=wasp, min_days=MIN_DAYS)
    days = []
    for p, w in zip(markov, rule, strict=True):
        d0, d1 = p["start_index"], p["start_index"] + p["slots"]
        date = datetime.fromtimestamp((start_slot + d0) * SLOT_SECONDS, ZoneInfo(tz)).date()
        day: dict[str, Any] = {"date": date.isoformat(), "slots": d1 - d0}
        day |= home.score_day(truth, d0, d1)
        day["zone"] = zone.score_day(truth, d0, d1)
        day["baselines"] = {
            "always_home": {"acc": p["always_home_acc"]},
            "prior": {"acc": p["prior_acc"]},
            "wasp": {
                "now_acc": w["now_acc"],
                **{f"h{h * 5}_acc": w[f"persist_h{h * 5}_acc"] for h in HORIZONS},
                "day_ahead_acc": w["persist_day_ahead_acc"],
            },
            "persistence_true_state": {
                **{f"h{h * 5}_acc": p[f"persist_h{h * 5}_acc"] for h in HORIZONS},
                "day_ahead_acc": p["persist_day_ahead_acc"],
            },
            "markov_from_true_state": {
                k: p[k] for k in p if k.startswith(("h", "day_ahead")) and not k.startswith("p")
            },
        }
        days.append(day)
    if test_from is not None:  # the replay still learns from every earlier day
        days = [d for d in days if d["date"] >= test_from]
    return {
        "days": days,
        "summary": summarise(days) if days else {"days": 0},
        "home_fraction": round(float(np.mean(truth)), 4),
        "zone": ZONE,
        "sensors": {e: a["device_class"] for e, a in sorted(classes.items())},
        "state_changes": len(changes),
        "trainings": replay.trainings,
        "replay_s": round(replay_s, 1),
    }


def summarise(days: list[dict[str, Any]]) -> dict[str, Any]:
    """Slot-weighted means over the days of every metric: ours (the home), the zone, baselines."""

    def mean(values: Iterable[tuple[Any, int]]) -> float | None:
        pairs = [(v, w) for v, w in values if v is not None and not math.isnan(v)]
        if not pairs:
            return None
        return round(float(np.average([v for v, _ in pairs], weights=[w for _, w in pairs])), 4)

    def at(day: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
        for key in path:
            day = day[key]
        return day

    def of(*path: str) -> dict[str, float | None]:
        keys = [k for k in at(days[0], path) if k.endswith(("acc", "brier"))]
        return {k: mean((at(d, path)[k], d["slots"]) for d in days) for k in keys}

    out: dict[str, Any] = {"days": len(days), "ours": of(), "zone": of("zone")}
    out["coverage"] = mean((d["coverage"], d["slots"]) for d in days)
    for name in days[0]["baselines"]:
        out[name] = of("baselines", name)
    return out


# -- UCI office ---------------------------------------------------------------------------------


def read_uci(path: Path) -> dict[str, np.ndarray]:
    """Columns of a UCI occupancy file; times as epoch seconds (Brussels local time)."""
    lines = path.read_text().splitlines()
    header = [h.strip('"') for h in lines[0].split(",")]
    cols: dict[str, list[float]] = {h: [] for h in header}
    for line in lines[1:]:
        parts = line.split(",")[1:]
        cols["date"].append(_epoch(parts[0].strip('"'), "%Y-%m-%d %H:%M:%S", "Europe/Brussels"))
        for h, v in zip(header[1:], parts[1:], strict=True):
            cols[h].append(float(v))
    return {h: np.asarray(v) for h, v in cols.items()}


def to_slots(t: np.ndarray, v: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Slot means of minute rows: (first slot, slot index of each row, means)."""
    s = np.floor(t / SLOT_SECONDS).astype(np.int64)
    start = int(s.min())
    idx = s - start
    n = int(idx.max()) + 1
    cnt = np.bincount(idx, minlength=n)
    with np.errstate(invalid="ignore"):
        mean = np.bincount(idx, weights=v, minlength=n) / cnt
    return start, idx, np.where(cnt > 0, mean, np.nan)


def acc_f1(pred: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Accuracy and F1 of the occupied class."""
    tp = float(np.sum(pred & y))
    f1 = 2 * tp / max(1.0, float(np.sum(pred) + np.sum(y)))
    return {"accuracy": round(float(np.mean(pred == y)), 4), "f1": round(f1, 4)}


# The office's sensors as Home Assistant entities: column -> (entity, unit, device class).
UCI_ENTITIES = {
    "Temperature": ("sensor.office_temperature", "°C", "temperature"),
    "Humidity": ("sensor.office_humidity", "%", "humidity"),
    "Light": ("sensor.office_illuminance", "lx", "illuminance"),
    "CO2": ("sensor.office_co2", "ppm", "carbon_dioxide"),
}


def uci_changes(files: Iterable[dict[str, np.ndarray]]) -> list[StateChange]:
    """Every file's rows as sensor state changes in time order (unchanged states dropped)."""
    rows = sorted(
        (float(t), col, float(v))
        for data in files
        for col in UCI_ENTITIES
        for t, v in zip(data["date"], data[col], strict=True)
    )
    out: list[StateChange] = []
    shown: dict[str, str] = {}
    for ts, col, value in rows:
        entity, unit, device_class = UCI_ENTITIES[col]
        state = f"{value:g}"
        if shown.get(entity) == state:
            continue
        shown[entity] = state
        attrs = {"unit_of_measurement": unit, "device_class": device_class}
        out.append(StateChange(ts, entity, state, attrs | {"state_class": "measurement"}))
    return out


def run_shipped_uci(files: list[dict[str, np.ndarray]], tz: str) -> dict[str, Any]:
    """The office replayed through the household as one zone of environment sensors, live from
    its first reading: whether the product shows any occupancy, and how good it is if it does."""
    changes = uci_changes(files)
    attrs = {c.entity_id: dict(c.attributes) for c in changes}
    replay = Replay(
        home_config([], None), [zone_config("office", "Office", attrs)], tz, changes[0].ts
    )
    shown: list[tuple[float, float]] = []  # (tick, P(occupied)) whenever the zone shows one
    ticks = 0

    def on_tick(ts: float) -> None:
        nonlocal ticks
        ticks += 1
        occupancy = replay.zone("office").occupancy
        if occupancy is not None:
            shown.append((ts, occupancy.probability))

    replay.hooks = Hooks(on_tick=on_tick)
    replay.feed(changes, until=changes[-1].ts)
    zone = replay.zone("office")
    out: dict[str, Any] = {
        "zone_channels": sorted(zone.learner.channels),
        "has_evidence": zone.has_evidence,
        "home_learns_occupancy": replay.household.learns_occupancy(HOME),
        "ticks": ticks,
        "ticks_with_occupancy": len(shown),
        "trainings": replay.trainings,
    }
    if shown:  # scored against the minute rows of every file at the tick's minute
        t = np.concatenate([f["date"] for f in files])
        y = np.concatenate([f["Occupancy"] for f in files]) > 0.5
        order = np.argsort(t)
        ts = np.array([s for s, _ in shown])
        at = np.clip(np.searchsorted(t[order], ts), 0, len(t) - 1)
        pred = np.array([p >= 0.5 for _, p in shown])
        out["accuracy_at_ticks"] = acc_f1(pred, y[order][at])
    return out


def run_uci(data_dir: Path, quick: bool) -> dict[str, Any]:
    """The shipped product on the office, and scikit-learn on every test file present."""
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    folder = data_dir / "uci-occupancy-detection"
    train = read_uci(folder / "datatraining.txt")
    tests = {p.stem: read_uci(p) for p in sorted(folder.glob("datatest*.txt"))}
    tz = "Europe/Brussels"
    replay = run_shipped_uci([train, *tests.values()], tz)
    shipped = SHIPPED_NONE if not replay["ticks_with_occupancy"] else replay["accuracy_at_ticks"]
    out: dict[str, Any] = {"shipped": shipped, "shipped_replay": replay}
    start, _, labels = to_slots(train["date"], train["Occupancy"])
    routine = fit_routine(labels, start + len(labels), tz)  # time of week, training labels
    for stem, test in tests.items():
        y = test["Occupancy"] > 0.5
        out[stem] = {"majority_empty_accuracy": round(float(np.mean(~y)), 4), "shipped": shipped}
        for profile, feats in PROFILES.items():
            x_tr = np.column_stack([train[f] for f in feats])
            x_te = np.column_stack([test[f] for f in feats])
            y_tr = train["Occupancy"] > 0.5
            models = {
                "sklearn_lda": LinearDiscriminantAnalysis(),
                "sklearn_logreg": make_pipeline(StandardScaler(), LogisticRegression()),
                "sklearn_rf": RandomForestClassifier(
                    n_estimators=100 if quick else 300, random_state=0, n_jobs=-1
                ),
            }
            res: dict[str, Any] = {}
            for name, clf in models.items():
                clf.fit(x_tr, y_tr)
                res[name] = acc_f1(clf.predict(x_te).astype(bool), y)
            out[stem][profile] = res
        t_start, t_idx, _ = to_slots(test["date"], test["Occupancy"])
        prior = routine.prior_at(t_start, int(t_idx.max()) + 1)[t_idx]
        out[stem]["routine_prior"] = acc_f1(prior >= 0.5, y)
    return out


def main() -> None:
    """Run the benchmark and write ``occupancy.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=REPO_ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--test-from", help="score home days from this date (YYYY-MM-DD) on; all by default"
    )
    args = parser.parse_args()
    t0 = time.perf_counter()
    report: dict[str, Any] = {"quick": args.quick}
    uci = args.data / "uci-occupancy-detection" / "datatraining.txt"
    report["uci"] = run_uci(args.data, args.quick) if uci.exists() else {}
    homes: dict[str, Any] = {}
    kasteren = args.data / "kasteren-houseA"
    if (kasteren / "kasterenSenseData.txt").exists():
        homes["kasteren"] = run_home(*read_kasteren(kasteren), "Europe/Amsterdam", args.test_from)
    ordonez = args.data / "uci-adl-ordonez"
    for home in ("A", "B"):  # every home present (B is held back here)
        if (ordonez / f"Ordonez{home}_Sensors.txt").exists():
            homes[f"ordonez_{home.lower()}"] = run_home(
                *read_ordonez(ordonez, home), "Europe/Madrid", args.test_from
            )
    report["homes"] = homes
    report["virtual_home"] = run_virtual_home(*((9, 5) if args.quick else (28, 14)))
    report["elapsed_s"] = round(time.perf_counter() - t0, 1)
    path = write_report(args.out, "occupancy", report)
    print(path.read_text())


if __name__ == "__main__":
    main()
