"""Per-zone thermal model: how fast a room heats, how fast it loses heat, and when to start.

Learned from slot series (see ``thermal_fit`` for the equation); predictions run the same
equation forward from a ``ThermalState``. Open-window drops are left out of fitting
(``thermal_detect``), summer months without heating pin the heater gain instead of inventing
one, and recent data weighs more so the model follows the seasons.
"""

from dataclasses import dataclass, field
import math
from typing import Any

import numpy as np

from ..core.grid import SLOT_SECONDS, SLOTS_PER_DAY, SLOTS_PER_HOUR
from ..core.state import FieldType, JsonObject, read_state, write_state
from ..core.types import FloatArray
from .detect import flag_rapid_drops
from .fit import (
    STEP_H,
    WINDOW_SLOTS,
    daily_terms,
    lagged,
    mass_alpha,
    mass_average,
    solve,
    window_sums,
)

STATE_VERSION = 1
TAUS_H: tuple[float | None, ...] = (None, 3.0, 12.0, 48.0)  # mass time constants tried
LAGS = (0, 1, 2, 4)  # dead times tried, in slots
MAX_LAG = max(LAGS)
CHECK_SLOTS = 3 * SLOTS_PER_HOUR  # candidates are compared by their 3 h open-loop error
MIN_WINDOWS = SLOTS_PER_DAY  # a day of usable one-hour windows before a model is trusted
MIN_HEATING_WINDOWS = 12  # windows with heating on before a heat-up rate is reported
HALF_LIFE_DAYS = 45.0


@dataclass(frozen=True, slots=True)
class ThermalSeries:
    """Slot series of one zone, all the same length, starting at ``start_slot`` (NaN = gap).

    ``heating``/``cooling`` are 0..1 (share of the slot the heater/AC ran, or power / rated
    power); ``solar`` is any 0..1 sun proxy (sun elevation, 1 - cloud cover, ...).
    """

    start_slot: int
    temperature: FloatArray
    heating: FloatArray
    outdoor: FloatArray
    cooling: FloatArray | None = None
    solar: FloatArray | None = None
    neighbour: FloatArray | None = None
    excluded: FloatArray | None = None  # 1 = leave out of fitting (window contact open, ...)


@dataclass(frozen=True, slots=True)
class ThermalState:
    """Where a zone stands at the start of ``slot``: what the model runs forward from."""

    slot: int
    temperature: float
    mass: float  # slow building-mass temperature (exponential average of the air)
    outdoor: float
    solar: float = 0.0
    neighbour: float = math.nan
    heating_history: tuple[float, ...] = ()  # heating of the slots before ``slot``, oldest first
    cooling_history: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class ThermalRates:
    """What the zone does right now, in °C per hour."""

    heat_up_c_per_h: float | None  # with the heater on full (None: never seen heating)
    loss_c_per_h: float  # how fast it cools with heating off (negative: it warms by itself)
    cool_down_c_per_h: float | None  # with the AC on full (None: no cooling learned)
    time_constant_h: float  # slow time constant of the room with heating off
    dead_time_min: float  # delay before the heater shows in the air temperature


@dataclass(frozen=True, slots=True)
class ThermalModel:
    """A fitted zone: coefficients by column name (rates in °C/h) plus the fit's statistics."""

    names: tuple[str, ...]
    coef: tuple[float, ...]
    tau_mass_h: float | None
    lag: int
    tz: str | None
    check_mae_c: float  # 3 h open-loop mean absolute error on the training data
    heating_windows: int
    stats_slot: int  # last slot taken into the statistics
    xtx: FloatArray = field(repr=False)
    xty: FloatArray = field(repr=False)
    pinned: tuple[str, ...] = ()
    half_life_days: float = HALF_LIFE_DAYS

    def c(self, name: str) -> float:
        """Coefficient ``name`` (0 when the model has no such column)."""
        return self.coef[self.names.index(name)] if name in self.names else 0.0

    # -- what the room does now -------------------------------------------------------------

    def rates(self, state: ThermalState) -> ThermalRates:
        """Heat-up, loss and cool-down rates at ``state`` and the room's time constants."""
        off = self._rate(state, heating=0.0, cooling=0.0)
        heat_known = self.heating_windows >= MIN_HEATING_WINDOWS and self.c("heat") > 0
        cool = self.c("cool")
        return ThermalRates(
            heat_up_c_per_h=off + self.c("heat") if heat_known else None,
            loss_c_per_h=-off,
            cool_down_c_per_h=-(off + cool) if cool < 0 else None,
            time_constant_h=self.time_constant_h(),
            dead_time_min=self.lag * SLOT_SECONDS / 60.0,
        )

    def time_constant_h(self) -> float:
        """Slowest time constant of the air + mass system with heating off."""
        leak = self.c("out") + self.c("nb")
        if self.tau_mass_h is None:
            return 1.0 / max(leak, 1e-9)
        k_mass = self.c("mass")
        system = np.array(
            [[-(leak + k_mass), k_mass], [1.0 / self.tau_mass_h, -1.0 / self.tau_mass_h]]
        )
        slowest = float(np.min(np.abs(np.linalg.eigvals(system))))
        return 1.0 / max(slowest, 1e-9)

    def _rate(self, state: ThermalState, heating: float, cooling: float) -> float:
        t = state.temperature
        rate = self.c("out") * (state.outdoor - t) + self.c("mass") * (state.mass - t)
        if not math.isnan(state.neighbour):
            rate += self.c("nb") * (state.neighbour - t)
        rate += self.c("heat") * heating + self.c("cool") * cooling
        rate += self.c("sun") * state.solar + self.c("bias")
        if self.tz is not None:
            s, co = daily_terms(state.slot, 1, self.tz)
            rate += self.c("sin") * float(s[0]) + self.c("cos") * float(co[0])
        return rate

    # -- forecasts ---------------------------------------------------------------------------

    def predict(
        self,
        state: ThermalState,
        heating: FloatArray,
        *,
        cooling: FloatArray | None = None,
        outdoor: FloatArray | None = None,
        solar: FloatArray | None = None,
        neighbour: FloatArray | None = None,
        floor: float | None = None,
    ) -> FloatArray:
        """Temperature at the end of each planned slot, starting at ``state.slot``.

        Inputs not given hold their value in ``state``. ``floor`` models a thermostat that
        keeps the room at or above it whatever the plan (an eco setpoint).
        """
        n = len(heating)
        drive = self._drive(
            state,
            heating=_hold(heating, state.heating_history, self.lag),
            cooling=_hold(
                cooling if cooling is not None else np.zeros(n), state.cooling_history, self.lag
            ),
            outdoor=outdoor if outdoor is not None else np.full(n, state.outdoor),
            solar=solar if solar is not None else np.full(n, state.solar),
            neighbour=neighbour if neighbour is not None else np.full(n, state.neighbour),
        )
        return self._run(state.temperature, state.mass, drive, floor)

    def _drive(
        self,
        state: ThermalState,
        *,
        heating: FloatArray,
        cooling: FloatArray,
        outdoor: FloatArray,
        solar: FloatArray,
        neighbour: FloatArray,
    ) -> FloatArray:
        """Per-slot temperature change not proportional to the room's own temperatures."""
        e = self.c("out") * outdoor + self.c("heat") * heating + self.c("cool") * cooling
        e = e + self.c("sun") * solar + self.c("bias")
        if "nb" in self.names:
            e = e + self.c("nb") * np.where(np.isnan(neighbour), state.temperature, neighbour)
        if self.tz is not None:
            s, co = daily_terms(state.slot, len(heating), self.tz)
            e = e + self.c("sin") * s + self.c("cos") * co
        return np.asarray(e * STEP_H, dtype=np.float64)

    def _run(self, t: float, m: float, drive: FloatArray, floor: float | None) -> FloatArray:
        """Step the equation over ``drive`` from air ``t`` and mass ``m`` (plain floats: fast)."""
        keep = 1.0 - STEP_H * (self.c("out") + self.c("mass") + self.c("nb"))
        to_mass = STEP_H * self.c("mass")
        alpha = mass_alpha(self.tau_mass_h) if self.tau_mass_h else 0.0
        low = -math.inf if floor is None else floor
        out = []
        for e in drive.tolist():
            t = max(keep * t + to_mass * m + e, low)
            m += alpha * (t - m)
            out.append(t)
        return np.asarray(out, dtype=np.float64)

    def minutes_to_reach(
        self, state: ThermalState, target: float, *, max_minutes: float = 720.0
    ) -> float | None:
        """Minutes of full heating (or cooling, for a lower target) until ``target``.

        0 when already there, None when it is not reached within ``max_minutes`` or the model
        has never seen the heater (or AC) work.
        """
        t0 = state.temperature
        warming = target > t0
        if (warming and self.rates(state).heat_up_c_per_h is None) or (
            not warming and self.c("cool") >= 0
        ):
            return 0.0 if math.isclose(target, t0) else None
        n = max(1, math.ceil(max_minutes * 60 / SLOT_SECONDS))
        on = np.ones(n)
        path = self.predict(state, on) if warming else self.predict(state, 0 * on, cooling=on)
        gap = (path - target) if warming else (target - path)
        hit = np.flatnonzero(gap >= 0)
        if len(hit) == 0:
            return None
        k = int(hit[0])
        before = t0 if k == 0 else float(path[k - 1])
        step = float(path[k]) - before
        share = 1.0 if step == 0 else min(1.0, max(0.0, (target - before) / step))
        return (k + share) * SLOT_SECONDS / 60.0

    def latest_start(
        self, state: ThermalState, target: float, at_slot: int, *, floor: float | None = None
    ) -> int | None:
        """Latest slot to switch full heating on so the room is at ``target`` by ``at_slot``.

        Before the start the heating is off (held at ``floor`` if given). ``at_slot`` itself
        when no heating is needed; None when even starting now is too late.
        """
        n = at_slot - state.slot
        if n <= 0:
            return None if state.temperature < target else state.slot

        def end_temperature(start: int) -> float:
            plan = np.zeros(n)
            plan[start - state.slot :] = 1.0
            return float(self.predict(state, plan, floor=floor)[-1])

        if end_temperature(at_slot) >= target:
            return at_slot
        if self.rates(state).heat_up_c_per_h is None or end_temperature(state.slot) < target:
            return None
        lo, hi = state.slot, at_slot  # lo reaches the target, hi does not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if end_temperature(mid) >= target else (lo, mid)
        return lo

    # -- learning between refits -------------------------------------------------------------

    def updated(self, series: ThermalSeries) -> ThermalModel:
        """Take in slots after ``stats_slot`` (the series may reach back for context)."""
        cols = design(series, self.tau_mass_h, self.lag, self.tz, self.names)
        rows, change, end = _rows(series, cols)
        fresh = series.start_slot + end > self.stats_slot
        if not fresh.any():
            return self
        last = series.start_slot + int(end[fresh].max())
        age = last - (series.start_slot + end[fresh])
        w = 0.5 ** (age / SLOTS_PER_DAY / self.half_life_days)
        decay = 0.5 ** ((last - self.stats_slot) / SLOTS_PER_DAY / self.half_life_days)
        xtx = self.xtx * decay + (rows[fresh] * w[:, None]).T @ rows[fresh]
        xty = self.xty * decay + (rows[fresh] * w[:, None]).T @ change[fresh]
        coef, pinned = solve(xtx, xty, self.names)
        heat_rows = int(np.sum(rows[fresh, self.names.index("heat")] > 0))
        return ThermalModel(
            names=self.names,
            coef=tuple(float(v) for v in coef),
            tau_mass_h=self.tau_mass_h,
            lag=self.lag,
            tz=self.tz,
            check_mae_c=self.check_mae_c,
            heating_windows=self.heating_windows + heat_rows,
            stats_slot=last,
            xtx=xtx,
            xty=xty,
            pinned=tuple(pinned),
            half_life_days=self.half_life_days,
        )

    # -- persistence -------------------------------------------------------------------------

    def to_json(self) -> JsonObject:
        """Plain JSON (no pickle)."""
        return write_state(
            STATE_VERSION,
            names=list(self.names),
            coef=list(self.coef),
            tau_mass_h=self.tau_mass_h,
            lag=self.lag,
            tz=self.tz,
            check_mae_c=self.check_mae_c,
            heating_windows=self.heating_windows,
            stats_slot=self.stats_slot,
            xtx=self.xtx.tolist(),
            xty=self.xty.tolist(),
            pinned=list(self.pinned),
            half_life_days=self.half_life_days,
        )

    @classmethod
    def from_json(cls, data: JsonObject) -> ThermalModel:
        """Inverse of ``to_json``; ``ValueError`` on another version, a malformed field or
        inconsistent sizes."""
        data = read_state(data, "thermal state", STATE_VERSION, _THERMAL_FIELDS)
        names = tuple(str(n) for n in data["names"])
        xtx = np.array(data["xtx"], dtype=np.float64).reshape(len(names), len(names))
        xty = np.array(data["xty"], dtype=np.float64)
        if len(data["coef"]) != len(names) or xty.shape != (len(names),):
            raise ValueError("thermal state arrays do not match its columns")
        tau = data["tau_mass_h"]
        return cls(
            names=names,
            coef=tuple(float(v) for v in data["coef"]),
            tau_mass_h=None if tau is None else float(tau),
            lag=int(data["lag"]),
            tz=None if data["tz"] is None else str(data["tz"]),
            check_mae_c=float(data["check_mae_c"]),
            heating_windows=int(data["heating_windows"]),
            stats_slot=int(data["stats_slot"]),
            xtx=xtx,
            xty=xty,
            pinned=tuple(str(p) for p in data["pinned"]),
            half_life_days=float(data["half_life_days"]),
        )


_THERMAL_FIELDS: dict[str, FieldType] = {
    "names": list,
    "coef": list,
    "tau_mass_h": (float, None),
    "lag": int,
    "tz": (str, None),
    "check_mae_c": float,
    "heating_windows": int,
    "stats_slot": int,
    "xtx": list,
    "xty": list,
    "pinned": list,
    "half_life_days": float,
}


def _hold(plan: FloatArray, history: tuple[float, ...], lag: int) -> FloatArray:
    """The plan as the room feels it: delayed by ``lag``, earlier slots from ``history``."""
    past = np.array([*([0.0] * lag), *history], dtype=np.float64)
    return lagged(np.asarray(plan, dtype=np.float64), lag, past)


def column_names(series: ThermalSeries, tau_h: float | None, tz: str | None) -> tuple[str, ...]:
    """Which columns a series supports."""
    names = ["out"]
    if tau_h is not None:
        names.append("mass")
    if series.neighbour is not None:
        names.append("nb")
    names.append("heat")
    if series.cooling is not None and np.nansum(series.cooling) > 0:
        names.append("cool")
    if series.solar is not None:
        names.append("sun")
    names.append("bias")
    if tz is not None:
        names += ["sin", "cos"]
    return tuple(names)


def design(
    series: ThermalSeries,
    tau_h: float | None,
    lag: int,
    tz: str | None,
    names: tuple[str, ...],
    *,
    mass: FloatArray | None = None,
) -> FloatArray:
    """Per-slot regressors (rows = slots) for the columns ``names``."""
    t = series.temperature
    n = len(t)
    if "mass" in names:
        m = mass if mass is not None else mass_average(t, tau_h or 1.0)
    cols: dict[str, FloatArray] = {"out": series.outdoor - t, "bias": np.ones(n)}
    if "mass" in names:
        cols["mass"] = m - t
    if "nb" in names and series.neighbour is not None:
        cols["nb"] = series.neighbour - t
    cols["heat"] = lagged(series.heating, lag)
    if "cool" in names and series.cooling is not None:
        cols["cool"] = lagged(series.cooling, lag)
    if "sun" in names and series.solar is not None:
        cols["sun"] = series.solar
    if tz is not None:
        cols["sin"], cols["cos"] = daily_terms(series.start_slot, n, tz)
    return np.column_stack([cols[name] for name in names])


def _rows(series: ThermalSeries, cols: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    excluded = flag_rapid_drops(series.temperature)
    if series.excluded is not None:
        excluded = excluded + np.nan_to_num(series.excluded, nan=0.0)
    return window_sums(cols, series.temperature, excluded)


def state_at(series: ThermalSeries, index: int, tau_mass_h: float | None = None) -> ThermalState:
    """The state at the start of slot ``start_slot + index`` from the series before it.

    The latest known temperature, outdoor and sun are carried over gaps.
    """
    t = series.temperature[: index + 1]
    mass = mass_average(t, tau_mass_h or 1.0)
    return ThermalState(
        slot=series.start_slot + index,
        temperature=_last(t),
        mass=_last(mass) if tau_mass_h is not None else _last(t),
        outdoor=_last(series.outdoor[: index + 1]),
        solar=0.0 if series.solar is None else _last(series.solar[: index + 1], 0.0),
        neighbour=math.nan if series.neighbour is None else _last(series.neighbour[: index + 1]),
        heating_history=_history(series.heating, index),
        cooling_history=() if series.cooling is None else _history(series.cooling, index),
    )


def _last(x: FloatArray, default: float = math.nan) -> float:
    ok = np.flatnonzero(~np.isnan(x))
    return float(x[ok[-1]]) if len(ok) else default


def _history(x: FloatArray, index: int) -> tuple[float, ...]:
    past = np.nan_to_num(x[max(0, index - MAX_LAG) : index], nan=0.0)
    return tuple(float(v) for v in past)


def fit_thermal(
    series: ThermalSeries, *, tz: str | None = None, half_life_days: float = HALF_LIFE_DAYS
) -> ThermalModel:
    """Fit every candidate mass time constant and dead time; keep the best 3 h forecaster.

    ``tz`` adds a daily cycle in local time (people, cooking, sun through the windows).
    ``ValueError`` when there are fewer than a day of usable one-hour windows.
    """
    best: tuple[float, ThermalModel] | None = None
    n = len(series.temperature)
    for tau in TAUS_H:
        names = column_names(series, tau, tz)
        mass = mass_average(series.temperature, tau) if tau is not None else None
        for lag in LAGS:
            cols = design(series, tau, lag, tz, names, mass=mass)
            rows, change, end = _rows(series, cols)
            if len(change) < MIN_WINDOWS:
                raise ValueError(f"only {len(change)} usable hours of thermal data")
            w = 0.5 ** ((n - 1 - end) / SLOTS_PER_DAY / half_life_days)
            xtx = (rows * w[:, None]).T @ rows
            xty = (rows * w[:, None]).T @ change
            coef, pinned = solve(xtx, xty, names)
            model = ThermalModel(
                names=names,
                coef=tuple(float(v) for v in coef),
                tau_mass_h=tau,
                lag=lag,
                tz=tz,
                check_mae_c=math.nan,
                heating_windows=int(np.sum(rows[:, names.index("heat")] > 0)),
                stats_slot=series.start_slot + int(end.max()),
                xtx=xtx,
                xty=xty,
                pinned=tuple(pinned),
                half_life_days=half_life_days,
            )
            mae = open_loop_mae(model, series, CHECK_SLOTS, mass)
            if best is None or mae < best[0]:
                best = (mae, model)
    assert best is not None
    mae, model = best
    return ThermalModel(**{**_fields(model), "check_mae_c": mae})


def _fields(model: ThermalModel) -> dict[str, Any]:
    return {name: getattr(model, name) for name in ThermalModel.__dataclass_fields__}


def open_loop_mae(
    model: ThermalModel,
    series: ThermalSeries,
    horizon: int,
    mass: FloatArray | None = None,
    stride: int = WINDOW_SLOTS // 2,
) -> float:
    """Mean absolute error of ``horizon``-slot forecasts from origins every ``stride`` slots."""
    pred, truth = batch_forecast(model, series, horizon, stride=stride, mass=mass)
    ok = ~np.isnan(pred) & ~np.isnan(truth)
    return float(np.mean(np.abs(pred[ok] - truth[ok]))) if ok.any() else math.inf


def batch_forecast(
    model: ThermalModel,
    series: ThermalSeries,
    horizon: int,
    *,
    stride: int = 1,
    mass: FloatArray | None = None,
    origins: FloatArray | None = None,
    keep_paths: bool = False,
) -> tuple[FloatArray, FloatArray]:
    """Open-loop forecasts ``horizon`` slots ahead from many origins at once, with the inputs
    as they really were (the plan a pre-heat planner would follow); returns (forecast, truth).
    With ``keep_paths`` the forecast is every step (origins x horizon).

    Origins without a temperature or with missing inputs on the way give NaN.
    """
    t = series.temperature
    n = len(t)
    if origins is None:
        origins = np.arange(0, n - horizon, stride, dtype=np.float64)
    idx = origins.astype(np.int64)
    m = mass if mass is not None else mass_average(t, model.tau_mass_h or 1.0)
    zero = np.zeros(n)
    heat = lagged(series.heating, model.lag)
    cool = lagged(series.cooling, model.lag) if series.cooling is not None else zero
    sun = series.solar if series.solar is not None else zero
    nb = series.neighbour if series.neighbour is not None else zero
    e = model.c("out") * series.outdoor + model.c("heat") * heat + model.c("cool") * cool
    e = e + model.c("sun") * sun + model.c("nb") * nb + model.c("bias")
    if model.tz is not None:
        s, co = daily_terms(series.start_slot, n, model.tz)
        e = e + model.c("sin") * s + model.c("cos") * co
    e = e * STEP_H
    keep = 1.0 - STEP_H * (model.c("out") + model.c("mass") + model.c("nb"))
    to_mass = STEP_H * model.c("mass")
    alpha = mass_alpha(model.tau_mass_h) if model.tau_mass_h else 0.0
    temp, mass_now = t[idx].copy(), m[idx].copy()
    paths = np.empty((len(idx), horizon)) if keep_paths else None
    for j in range(horizon):
        temp = keep * temp + to_mass * mass_now + e[idx + j]
        mass_now += alpha * (temp - mass_now)
        if paths is not None:
            paths[:, j] = temp
    return (temp if paths is None else paths), t[idx + horizon]
