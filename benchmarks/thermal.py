"""Thermal benchmark on the Candanedo passive house: indoor temperature forecasts and rates.

Target Tin = mean of T1, T3, T4, T5, T7, T8, T9 (T2 has too many gaps), outdoor = T6 (north
facade), heating = ElectricHeater Wh per 10 min / 550 (0..1), sun = clear-sky sine of the sun's
elevation at Mons. Rows are put on the engine's 5-minute slot grid (each 10-minute row holds for
two slots). Train on everything before --test-from, forecast +1/+3/+6 h from every 10-minute
origin of the test period with the heater schedule and outdoor temperature as they really were.

- ours: ``engine.thermal.model.fit_thermal`` (air + mass node, dead time, sun, daily cycle).
- baselines: persistence; first-order RC ``dTin/step = a(Tout - Tin) + bP + daily sin/cos + c``
  fitted by one-step least squares on the 10-minute rows (the reference's RC model).
- rates: mean measured dTin/dt by heater power bin and night cool-down, vs the model's.
- time-to-target: per heating episode (heater on after >= 1 h off), minutes until Tin rises
  +0.3 / +0.5 K, predicted open loop with the actual heater schedule.
"""

import argparse
from datetime import datetime
import math
from pathlib import Path
import time
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from benchmarks.common import write_report
from custom_components.iot_ml.engine.core.grid import SLOT_SECONDS, SLOTS_PER_HOUR, slot_of
from custom_components.iot_ml.engine.core.resample import resample_step
from custom_components.iot_ml.engine.thermal.fit import daily_terms, mass_average
from custom_components.iot_ml.engine.thermal.model import (
    ThermalModel,
    ThermalSeries,
    batch_forecast,
    fit_thermal,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
TZ = "Europe/Brussels"
LAT, LON = 50.45, 3.95  # Mons
ROOMS = ("T1", "T3", "T4", "T5", "T7", "T8", "T9")
HORIZONS = {"1h": 12, "3h": 36, "6h": 72}
HEATER_FULL_WH = 550.0


def read_house(path: Path) -> dict[str, np.ndarray]:
    """Columns as float arrays (NA = NaN) plus ``ts`` in epoch seconds."""
    lines = path.read_text().splitlines()
    header = [h.strip().strip('"') for h in lines[0].split(",")]
    zone = ZoneInfo(TZ)
    ts, rows = [], []
    for line in lines[1:]:
        parts = [p.strip() for p in line.split(",")]
        ts.append(
            datetime.strptime(parts[0].strip('"'), "%Y-%m-%d %H:%M:%S")
            .replace(tzinfo=zone)
            .timestamp()
        )
        rows.append([math.nan if p == "NA" else float(p) for p in parts[1:]])
    data = np.array(rows)
    out = {h: data[:, i] for i, h in enumerate(header[1:])}
    out["ts"] = np.array(ts)
    return out


def sun_proxy(slots: np.ndarray) -> np.ndarray:
    """max(0, sin(solar elevation)) at the middle of each slot (simple NOAA-style formulas)."""
    t = (slots + 0.5) * SLOT_SECONDS
    day = t / 86400.0
    decl = np.radians(23.44) * np.sin(2 * np.pi * (day % 365.25 - 80.0) / 365.25)
    solar_hour = (t % 86400) / 3600.0 + LON / 15.0
    hour_angle = np.radians(15.0 * (solar_hour - 12.0))
    lat = np.radians(LAT)
    s = np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(hour_angle)
    return np.asarray(np.clip(s, 0.0, None))


def house_series(data: dict[str, np.ndarray], target: tuple[str, ...]) -> ThermalSeries:
    """The house on the 5-minute grid."""
    ts = data["ts"]
    start, end = slot_of(ts[0]), slot_of(ts[-1]) + 2
    tin = np.mean(np.column_stack([data[c] for c in target]), axis=1)
    outdoor = data["T6"].copy()
    ok = ~np.isnan(outdoor)
    outdoor = np.interp(ts, ts[ok], outdoor[ok])  # short facade-sensor gaps: interpolate
    heat = np.clip(np.nan_to_num(data["ElectricHeater"]) / HEATER_FULL_WH, 0.0, 1.0)
    slots = np.arange(start, end)
    return ThermalSeries(
        start_slot=start,
        temperature=resample_step(ts, tin, start, end),
        heating=resample_step(ts, heat, start, end),
        outdoor=resample_step(ts, outdoor, start, end),
        solar=sun_proxy(slots),
    )


def cut(series: ThermalSeries, stop: int) -> ThermalSeries:
    """The first ``stop`` slots."""
    return ThermalSeries(
        start_slot=series.start_slot,
        temperature=series.temperature[:stop],
        heating=series.heating[:stop],
        outdoor=series.outdoor[:stop],
        solar=None if series.solar is None else series.solar[:stop],
    )


# -- the RC baseline ------------------------------------------------------------------------


def fit_rc(series: ThermalSeries, stop: int) -> np.ndarray:
    """One-step LS on 10-minute steps: dT = a(To - T) + b u + s sin + c cos + d (per 10 min)."""
    x, y = rc_rows(series)
    rows = np.arange(0, stop - 2, 2)
    ok = ~np.isnan(x[rows]).any(axis=1) & ~np.isnan(y[rows])
    coef, *_ = np.linalg.lstsq(x[rows][ok], y[rows][ok], rcond=None)
    return np.asarray(coef)


def rc_rows(series: ThermalSeries) -> tuple[np.ndarray, np.ndarray]:
    t = series.temperature
    n = len(t)
    s, c = daily_terms(series.start_slot, n, TZ)
    x = np.column_stack([series.outdoor - t, series.heating, s, c, np.ones(n)])
    y = np.full(n, np.nan)
    y[:-2] = t[2:] - t[:-2]
    return x, y


def rc_forecast(
    coef: np.ndarray, series: ThermalSeries, origins: np.ndarray, horizon: int
) -> np.ndarray:
    """Open loop in 10-minute steps with the real inputs."""
    n = len(series.temperature)
    s, c = daily_terms(series.start_slot, n, TZ)
    temp = series.temperature[origins].copy()
    for j in range(0, horizon, 2):
        k = origins + j
        drive = coef[1] * series.heating[k] + coef[2] * s[k] + coef[3] * c[k] + coef[4]
        temp = temp + coef[0] * (series.outdoor[k] - temp) + drive
    return temp


# -- scoring --------------------------------------------------------------------------------


def errors(pred: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    ok = ~np.isnan(pred) & ~np.isnan(truth)
    err = pred[ok] - truth[ok]
    return {
        "mae": round(float(np.mean(np.abs(err))), 4),
        "rmse": round(float(np.sqrt(np.mean(err**2))), 4),
        "n": int(ok.sum()),
    }


def test_origins(series: ThermalSeries, first: int, horizon: int) -> np.ndarray:
    """Every 10-minute origin in the test period with a temperature now and at the horizon
    and all inputs on the way."""
    t = series.temperature
    n = len(t)
    cand = np.arange(first, n - horizon, 2)
    inputs_ok = ~np.isnan(series.heating) & ~np.isnan(series.outdoor)
    bad = np.concatenate([[0], np.cumsum(~inputs_ok)])
    ok = ~np.isnan(t[cand]) & ~np.isnan(t[cand + horizon]) & (bad[cand + horizon] - bad[cand] == 0)
    return cand[ok]


def forecasts(
    model: ThermalModel, rc: np.ndarray, series: ThermalSeries, first: int
) -> dict[str, Any]:
    """MAE/RMSE at each horizon for ours, persistence and RC, on the same origins."""
    mass = mass_average(series.temperature, model.tau_mass_h or 1.0)
    out: dict[str, Any] = {"ours": {}, "persistence": {}, "rc": {}}
    for name, h in HORIZONS.items():
        origins = test_origins(series, first, h)
        truth = series.temperature[origins + h]
        ours, _ = batch_forecast(model, series, h, mass=mass, origins=origins.astype(np.float64))
        out["ours"][name] = errors(ours, truth)
        out["persistence"][name] = errors(series.temperature[origins], truth)
        out["rc"][name] = errors(rc_forecast(rc, series, origins, h), truth)
    return out


def model_rate(model: ThermalModel, series: ThermalSeries, mass: np.ndarray) -> np.ndarray:
    """The model's dT/dt (°C/h) at every slot, with the inputs of that slot."""
    t = series.temperature
    heat = np.concatenate([np.zeros(model.lag), series.heating[: len(t) - model.lag]])
    rate = model.c("out") * (series.outdoor - t) + model.c("mass") * (mass - t)
    rate = rate + model.c("heat") * heat + model.c("bias")
    if series.solar is not None:
        rate = rate + model.c("sun") * series.solar
    s, c = daily_terms(series.start_slot, len(t), TZ)
    return np.asarray(rate + model.c("sin") * s + model.c("cos") * c)


def rates(model: ThermalModel, series: ThermalSeries, first: int) -> dict[str, Any]:
    """Measured vs learned dT/dt by heater power (test period) and night cool-down."""
    t = series.temperature
    mass = mass_average(t, model.tau_mass_h or 1.0)
    learned = model_rate(model, series, mass)
    hour = 2  # one-hour central difference keeps sensor rounding out of the slope
    measured = np.full(len(t), np.nan)
    measured[hour * 6 : -hour * 6] = (t[hour * 12 :] - t[: -hour * 12]) / (2 * hour)
    kw = (
        np.convolve(np.nan_to_num(series.heating), np.ones(24) / 24, mode="same")
        * HEATER_FULL_WH
        * 6
        / 1000
    )
    learned_h = np.convolve(np.nan_to_num(learned), np.ones(24) / 24, mode="same")
    idx = np.arange(first, len(t))
    bins = {"<=60W": (0, 0.06), "0.06-1kW": (0.06, 1.0), "1-2kW": (1.0, 2.0), ">2kW": (2.0, 99.0)}
    out: dict[str, Any] = {"by_heater_power_c_per_h": {}}
    for name, (lo, hi) in bins.items():
        sel = idx[
            (kw[idx] > lo if lo else kw[idx] <= hi) & (kw[idx] <= hi) & ~np.isnan(measured[idx])
        ]
        out["by_heater_power_c_per_h"][name] = {
            "measured": round(float(np.mean(measured[sel])), 3) if len(sel) else None,
            "learned": round(float(np.mean(learned_h[sel])), 3) if len(sel) else None,
            "n_slots": len(sel),
        }
    s, _ = daily_terms(series.start_slot, len(t), TZ)
    hours = np.arange(series.start_slot, series.start_slot + len(t))
    local_hour = (np.degrees(np.arctan2(s, _)) / 15.0) % 24  # hour of day from the sin/cos pair
    night = idx[((local_hour[idx] >= 22) | (local_hour[idx] < 6)) & (kw[idx] <= 0.06)]
    night = night[~np.isnan(measured[night])]
    del hours
    out["night_cool_down_c_per_h"] = {
        "measured_median": round(float(np.median(measured[night])), 4) if len(night) else None,
        "learned_median": round(float(np.median(learned[night])), 4) if len(night) else None,
        "n_slots": len(night),
    }
    out["learned_heater_gain_c_per_h_full"] = round(model.c("heat"), 3)
    out["learned_heater_gain_c_per_h_per_kw"] = round(
        model.c("heat") / (HEATER_FULL_WH * 6 / 1000), 3
    )
    out["time_constant_h"] = round(model.time_constant_h(), 1)
    out["dead_time_min"] = model.lag * SLOT_SECONDS / 60
    return out


def episodes(series: ThermalSeries, first: int) -> list[int]:
    """Slots where the heater comes on after at least an hour off."""
    on = np.nan_to_num(series.heating) > 0.05
    starts = []
    off_run = 0
    for i in range(len(on)):
        if on[i] and off_run >= SLOTS_PER_HOUR and i >= first:
            starts.append(i)
        off_run = 0 if on[i] else off_run + 1
    return starts


def time_to_target(
    model: ThermalModel, rc: np.ndarray, series: ThermalSeries, first: int
) -> dict[str, Any]:
    """Minutes until +0.3 / +0.5 K per heating episode: actual vs predicted (ours, RC)."""
    t = series.temperature
    mass = mass_average(t, model.tau_mass_h or 1.0)
    limit = 12 * SLOTS_PER_HOUR
    out: dict[str, Any] = {}
    for rise in (0.3, 0.5):
        rows: list[tuple[float, float, float]] = []
        for s in episodes(series, first):
            if s + limit >= len(t) or np.isnan(t[s]):
                continue
            path = t[s + 1 : s + 1 + limit]
            hit = np.flatnonzero(path >= t[s] + rise)
            if len(hit) == 0 or np.isnan(path[: hit[0]]).any():
                continue
            actual = (hit[0] + 1) * 5.0
            origin = np.array([float(s)])
            ours_path = batch_forecast(
                model, series, limit, mass=mass, origins=origin, keep_paths=True
            )[0][0]
            rc_path = rc_path_of(rc, series, s, limit)
            rows.append(
                (
                    actual,
                    _first_cross(ours_path, t[s] + rise),
                    _first_cross(rc_path, t[s] + rise, step=2),
                )
            )
        arr = np.array(rows) if rows else np.empty((0, 3))
        res: dict[str, Any] = {"n": len(rows), "actual_median_min": _med(arr[:, 0])}
        for k, name in ((1, "ours"), (2, "rc")):
            err = np.abs(arr[:, k] - arr[:, 0])
            res[name] = {
                "mae_min": round(float(np.mean(err)), 1) if len(err) else None,
                "median_abs_min": _med(err),
                "within_30_min": round(float(np.mean(err <= 30)), 3) if len(err) else None,
            }
        out[f"+{rise}K"] = res
    return out


def _med(x: np.ndarray) -> float | None:
    return round(float(np.median(x)), 1) if len(x) else None


def _first_cross(path: np.ndarray, level: float, step: int = 1) -> float:
    """Minutes until a forecast path (one value per ``step`` slots) first reaches ``level``."""
    hit = np.flatnonzero(path >= level)
    return float((hit[0] + 1) * step * 5.0) if len(hit) else len(path) * step * 5.0


def rc_path_of(coef: np.ndarray, series: ThermalSeries, origin: int, limit: int) -> np.ndarray:
    """The RC model's path from one origin, one value per 10-minute step."""
    s, c = daily_terms(series.start_slot, len(series.temperature), TZ)
    temp = float(series.temperature[origin])
    out = []
    for j in range(0, limit, 2):
        k = origin + j
        drive = coef[1] * series.heating[k] + coef[2] * s[k] + coef[3] * c[k] + coef[4]
        temp = temp + coef[0] * (series.outdoor[k] - temp) + drive
        out.append(temp)
    return np.array(out)


def run(data_dir: Path, test_from: str, quick: bool) -> dict[str, Any]:
    data = read_house(data_dir / "candanedo-passive-house" / "energy_weather_temp.csv")
    first_ts = datetime.fromisoformat(test_from).replace(tzinfo=ZoneInfo(TZ)).timestamp()
    report: dict[str, Any] = {"test_from": test_from, "quick": quick}
    targets = (
        {"passive_house": ROOMS}
        if quick
        else {"passive_house": ROOMS, "room_T2_living": ("T2",), "room_T9_parents": ("T9",)}
    )
    for key, cols in targets.items():
        series = house_series(data, cols)
        first = slot_of(first_ts) - series.start_slot
        t0 = time.perf_counter()
        model = fit_thermal(cut(series, first), tz=TZ)
        fit_s = time.perf_counter() - t0
        rc = fit_rc(series, first)
        fc = forecasts(model, rc, series, first)
        res: dict[str, Any] = {
            "mae_c": {h: fc["ours"][h]["mae"] for h in HORIZONS},
            "rmse_c": {h: fc["ours"][h]["rmse"] for h in HORIZONS},
            "n_origins": {h: fc["ours"][h]["n"] for h in HORIZONS},
            "baselines": {
                b: {
                    "mae_c": {h: fc[b][h]["mae"] for h in HORIZONS},
                    "rmse_c": {h: fc[b][h]["rmse"] for h in HORIZONS},
                }
                for b in ("persistence", "rc")
            },
            "model": {
                "columns": dict(zip(model.names, [round(c, 5) for c in model.coef], strict=True)),
                "tau_mass_h": model.tau_mass_h,
                "dead_time_min": model.lag * 5,
                "pinned": list(model.pinned),
                "train_3h_mae_c": round(model.check_mae_c, 4),
                "fit_seconds": round(fit_s, 2),
            },
            "rc_baseline": {
                "tau_h": round(1 / (rc[0] * 6), 1) if rc[0] > 0 else None,
                "gain_c_per_h_full": round(rc[1] * 6, 3),
            },
        }
        res["rates"] = rates(model, series, first)
        if key == "passive_house":
            res["time_to_target"] = time_to_target(model, rc, series, first)
        report[key] = res
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=REPO_ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.add_argument("--test-from", default="2016-08-01")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    t0 = time.perf_counter()
    report = run(args.data, args.test_from, args.quick)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    path = write_report(args.out, "thermal", report)
    ph = report["passive_house"]
    print(f"{'horizon':>8} {'ours MAE/RMSE':>16} {'persistence':>16} {'RC':>16}")
    for h in HORIZONS:
        b = ph["baselines"]
        print(
            f"{h:>8} {ph['mae_c'][h]:>7.3f}/{ph['rmse_c'][h]:<8.3f} "
            f"{b['persistence']['mae_c'][h]:>7.3f}/{b['persistence']['rmse_c'][h]:<8.3f} "
            f"{b['rc']['mae_c'][h]:>7.3f}/{b['rc']['rmse_c'][h]:<8.3f}"
        )
    print(f"wrote {path} in {report['seconds']} s")


if __name__ == "__main__":
    main()
