"""Occupancy benchmark: detection (UCI office), home presence and forecasts (Kasteren A, Ordonez A), speed.

- uci.<test>.<profile>: trained on datatraining.txt, scored per minute on each present test file.
  Ours runs on the 5-minute slot grid (slot means of each sensor; a minute is judged by the slot
  holding it, which ends at most 4 minutes later) with the routine prior as a feature; the
  ``ours_sensors_only`` variant leaves the prior out. scikit-learn LDA, LogisticRegression
  (standardised) and RandomForest run on the raw minute rows, as published.
- homes.<home>: walk-forward by local day (learn from days before d, predict day d) on 5-minute
  slots; truth = not inside a "leave house"/"Leaving" interval. now = fused detector (wasp rule,
  door and interior activity holds, routine prior; supervised on earlier days); +30/60/120 min
  and day-ahead = the Markov chain propagated from the detector's posterior.
- virtual_home: the simulated home driven through the learners as the integration drives them
  (live events, nightly training, "occupied now?" every 5 minutes), per zone against the truth.
- speed: fusion update per slot and fit time for 10 zones x 8 weeks of synthetic slots.
"""

import argparse
from datetime import datetime
from pathlib import Path
import re
import time
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from benchmarks.common import write_report
from benchmarks.occupancy_virtual import run_virtual_home
from custom_components.iot_ml.engine.core.grid import SLOT_SECONDS, SLOTS_PER_DAY, slot_of
from custom_components.iot_ml.engine.core.timebase import hour_of_week
from custom_components.iot_ml.engine.occupancy.fusion import FusionState
from custom_components.iot_ml.engine.occupancy.model import fit_occupancy
from custom_components.iot_ml.engine.occupancy.routine import rolling_backtest
from custom_components.iot_ml.engine.occupancy.wasp import wasp_slots

REPO_ROOT = Path(__file__).resolve().parents[1]
# The in-sample routine prior is over-trusted by a fit on a few days; see the report.
HOME_PRIOR = False
PROFILES = {
    "all": ["Temperature", "Humidity", "Light", "CO2", "HumidityRatio"],
    "no_light": ["Temperature", "Humidity", "CO2", "HumidityRatio"],
}


def _epoch(text: str, fmt: str, tz: str) -> float:
    return datetime.strptime(text, fmt).replace(tzinfo=ZoneInfo(tz)).timestamp()


# -- UCI office -----------------------------------------------------------------------------


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


def run_uci(data_dir: Path, quick: bool) -> dict[str, Any]:
    """Every test file present, both profiles, ours vs scikit-learn."""
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    folder = data_dir / "uci-occupancy-detection"
    train = read_uci(folder / "datatraining.txt")
    tests = {p.stem: read_uci(p) for p in sorted(folder.glob("datatest*.txt"))}
    tz = "Europe/Brussels"
    out: dict[str, Any] = {}
    for stem, test in tests.items():
        y = test["Occupancy"] > 0.5
        out[stem] = {"majority_empty_accuracy": round(float(np.mean(~y)), 4)}
        for profile, feats in PROFILES.items():
            res: dict[str, Any] = {}
            start, _, labels = to_slots(train["date"], train["Occupancy"])
            tr = {f: to_slots(train["date"], train[f])[2] for f in feats}
            t_start, t_idx, _ = to_slots(test["date"], test["Occupancy"])
            te = {f: to_slots(test["date"], test[f])[2] for f in feats}
            kinds = dict.fromkeys(feats, "numeric")
            for name, use_prior in (("ours", True), ("ours_sensors_only", False)):
                model = fit_occupancy(
                    tr, kinds, start + len(labels), tz, labels=labels, use_prior=use_prior
                )
                p = model.detect(te, t_start)[t_idx]
                res[name] = acc_f1(p >= 0.5, y)
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
            for name, clf in models.items():
                clf.fit(x_tr, y_tr)
                res[name] = acc_f1(clf.predict(x_te).astype(bool), y)
            res["accuracy"], res["f1"] = res["ours"]["accuracy"], res["ours"]["f1"]
            out[stem][profile] = res
        # Time of day alone, as the routine prior of the engine (trained on the training file).
        start, _, labels = to_slots(train["date"], train["Occupancy"])
        model = fit_occupancy(
            {"x": np.zeros(len(labels))}, {"x": "direct"}, start + len(labels), tz, labels=labels
        )
        t_start, t_idx, _ = to_slots(test["date"], test["Occupancy"])
        prior = model.routine.prior_at(t_start, int(t_idx.max()) + 1)[t_idx]
        out[stem]["routine_prior"] = acc_f1(prior >= 0.5, y)
    return out


# -- homes ----------------------------------------------------------------------------------


def read_kasteren(folder: Path) -> tuple[list[tuple[float, float, str]], list[tuple[float, float]]]:
    """Sensor intervals (start, end, id) and "leave house" intervals."""
    pat = re.compile(
        r"(\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d)\s+(\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d)\s+(\d+)"
    )
    fmt, tz = "%d-%b-%Y %H:%M:%S", "Europe/Amsterdam"

    def rows(name: str) -> list[tuple[float, float, str]]:
        found = (pat.match(line) for line in (folder / name).read_text().splitlines())
        return [(_epoch(m[1], fmt, tz), _epoch(m[2], fmt, tz), m[3]) for m in found if m]

    sensors = [(a, b, "door" if i == "12" else i) for a, b, i in rows("kasterenSenseData.txt")]
    leave = [(a, b) for a, b, i in rows("kasterenActData.txt") if i == "1"]
    return sensors, leave


def read_ordonez(
    folder: Path, home: str = "A"
) -> tuple[list[tuple[float, float, str]], list[tuple[float, float]]]:
    """Sensor intervals (start, end, location) and "Leaving" intervals of one Ordonez home."""
    fmt, tz = "%Y-%m-%d %H:%M:%S", "Europe/Madrid"

    def rows(name: str) -> list[list[str]]:
        text = (folder / name).read_text(encoding="latin-1").splitlines()[2:]
        return [[f.strip() for f in line.split("\t") if f.strip()] for line in text if line.strip()]

    sensors = [
        (_epoch(r[0], fmt, tz), _epoch(r[1], fmt, tz), "door" if r[2] == "Maindoor" else r[2])
        for r in rows(f"Ordonez{home}_Sensors.txt")
    ]
    leave = [
        (_epoch(r[0], fmt, tz), _epoch(r[1], fmt, tz))
        for r in rows(f"Ordonez{home}_ADLs.txt")
        if r[2] == "Leaving"
    ]
    return sensors, leave


def home_series(
    sensors: list[tuple[float, float, str]], leave: list[tuple[float, float]], tz: str
) -> tuple[int, dict[str, np.ndarray], np.ndarray]:
    """Slot grid from the first local midnight: channels and truth (1 = home)."""
    first = min(a for a, _, _ in sensors)
    day0 = datetime.fromtimestamp(first, ZoneInfo(tz)).replace(hour=0, minute=0, second=0)
    start = slot_of(day0.timestamp())
    last = max([b for _, b, _ in sensors] + [b for _, b in leave])
    n = slot_of(last) + 1 - start
    away = np.zeros(n)
    for a, b in leave:  # seconds away per slot
        for s in range(slot_of(a), slot_of(b) + 1):
            lo, hi = max(a, s * SLOT_SECONDS), min(b, (s + 1) * SLOT_SECONDS)
            away[s - start] += max(0.0, hi - lo)
    truth = (away < SLOT_SECONDS / 2).astype(np.float64)
    door_ev = np.array([t for a, b, k in sensors if k == "door" for t in (a, b)])
    act_ev = np.array([t for a, b, k in sensors if k != "door" for t in (a, b)])

    def indicator(times: np.ndarray) -> np.ndarray:
        x = np.zeros(n)
        idx = np.floor(times / SLOT_SECONDS).astype(np.int64) - start
        x[idx[(idx >= 0) & (idx < n)]] = 1.0
        return x

    door_open = np.array([a for a, _, k in sensors if k == "door"])
    door_close = np.array([b for _, b, k in sensors if k == "door"])
    interior = np.concatenate([[a for a, _, k in sensors if k != "door"], act_ev])
    channels = {
        "door": indicator(door_ev),
        "activity": indicator(act_ev),
        "wasp": wasp_slots(door_open, door_close, interior, start, n),
    }
    return start, channels, truth


def run_home(
    sensors: list[tuple[float, float, str]],
    leave: list[tuple[float, float]],
    tz: str,
    test_from: str | None = None,
) -> dict[str, Any]:
    """Walk-forward detection and forecasts for one home, with baselines."""
    start, channels, truth = home_series(sensors, leave, tz)
    kinds = {"door": "binary", "activity": "binary", "wasp": "direct"}
    n = len(truth)
    hod = hour_of_week(start, n, tz) % 24
    starts = [int(i) for i in np.flatnonzero((hod == 0) & (np.roll(hod, 1) != 0)) if i > 0]
    origin = np.full(n, np.nan)
    for d0, d1 in zip(starts, [*starts[1:], n], strict=True):
        if d0 < 3 * SLOTS_PER_DAY:
            continue
        model = fit_occupancy(
            {k: v[:d0] for k, v in channels.items()},
            kinds,
            start + d0,
            tz,
            labels=truth[:d0],
            use_prior=HOME_PRIOR,
        )
        origin[d0:d1] = model.detect({k: v[:d1] for k, v in channels.items()}, start)[d0:d1]
    ours = rolling_backtest(truth, start, tz, origin=origin)
    wasp = rolling_backtest(truth, start, tz, origin=channels["wasp"])
    perfect = rolling_backtest(truth, start, tz)
    days = []
    for o, w, p in zip(ours, wasp, perfect, strict=True):
        i = o["start_index"]
        date = datetime.fromtimestamp((start + i) * SLOT_SECONDS, ZoneInfo(tz)).date()
        day = {"date": date.isoformat(), "slots": o["slots"]}
        day |= {k: o[k] for k in o if k.endswith(("_acc", "_brier")) and not k.startswith("p")}
        day["baselines"] = {
            "always_home": {"acc": o["always_home_acc"]},
            "prior": {"acc": o["prior_acc"]},
            "wasp": {
                "now_acc": w["now_acc"],
                **{f"h{h}_acc": w[f"persist_h{h}_acc"] for h in (30, 60, 120)},
                "day_ahead_acc": w["persist_day_ahead_acc"],
            },
            "persistence_true_state": {
                **{f"h{h}_acc": p[f"persist_h{h}_acc"] for h in (30, 60, 120)},
                "day_ahead_acc": p["persist_day_ahead_acc"],
            },
            "markov_from_true_state": {
                k: p[k] for k in p if k.startswith(("h", "day_ahead")) and not k.startswith("p")
            },
        }
        days.append(day)
    if test_from is not None:  # learning still uses every earlier day; only scoring starts later
        days = [d for d in days if d["date"] >= test_from]
    summary = summarise(days) if days else {"days": 0}
    return {"days": days, "summary": summary, "home_fraction": float(np.mean(truth))}


def summarise(days: list[dict[str, Any]]) -> dict[str, Any]:
    """Means over days (slot-weighted) of every metric, ours and baselines."""
    w = np.array([d["slots"] for d in days], dtype=np.float64)

    def mean(get: Any) -> float:
        return round(float(np.average([get(d) for d in days], weights=w)), 4)

    keys = [k for k in days[0] if k.endswith(("_acc", "_brier"))]
    out: dict[str, Any] = {"days": len(days), "ours": {k: mean(lambda d, k=k: d[k]) for k in keys}}
    for name, base in days[0]["baselines"].items():
        out[name] = {k: mean(lambda d, n=name, k=k: d["baselines"][n][k]) for k in base}
    return out


# -- speed ----------------------------------------------------------------------------------


def run_speed(zones: int, weeks: int, steps: int) -> dict[str, float]:
    """Label-free fit of ``zones`` zones on ``weeks`` of synthetic slots; live update cost."""
    rng = np.random.default_rng(1)
    n = weeks * 7 * SLOTS_PER_DAY
    tod = np.arange(n) % SLOTS_PER_DAY
    occ = ((tod > 7 * 12) & (tod < 23 * 12)).astype(float)
    kinds = {"m1": "binary", "m2": "binary", "door": "binary", "co2": "numeric", "t": "numeric"}
    end = slot_of(time.time())
    fit_s = []
    model = None
    data: dict[str, np.ndarray] = {}
    for _ in range(zones):
        data = {
            "m1": (rng.random(n) < np.where(occ > 0, 0.5, 0.01)).astype(float),
            "m2": (rng.random(n) < np.where(occ > 0, 0.2, 0.05)).astype(float),
            "door": (rng.random(n) < 0.02).astype(float),
            "co2": 450 + 300 * occ + rng.normal(0, 30, n),
            "t": 20 + rng.normal(0, 0.3, n),
        }
        t0 = time.perf_counter()
        model = fit_occupancy(data, kinds, end, "Europe/Berlin")
        fit_s.append(time.perf_counter() - t0)
    assert model is not None
    state = FusionState(model.fusion)
    rows = [{k: float(v[i % n]) for k, v in data.items()} | {"_routine": 0.0} for i in range(steps)]
    t0 = time.perf_counter()
    for row in rows:
        state.step(row)
    step_us = (time.perf_counter() - t0) / steps * 1e6
    t0 = time.perf_counter()
    for i in range(20):
        model.forecast(0.5, end + i)
    forecast_ms = (time.perf_counter() - t0) / 20 * 1e3
    return {
        "zones": zones,
        "weeks": weeks,
        "update_us_per_slot": round(step_us, 2),
        "forecast_24h_ms": round(forecast_ms, 3),
        "fit_s_per_zone_mean": round(float(np.mean(fit_s)), 3),
        "fit_s_total": round(float(np.sum(fit_s)), 3),
    }


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
    report["speed"] = run_speed(2 if args.quick else 10, 8, 2000 if args.quick else 20000)
    report["elapsed_s"] = round(time.perf_counter() - t0, 1)
    path = write_report(args.out, "occupancy", report)
    print(path.read_text())


if __name__ == "__main__":
    main()
