"""Least-squares core of the thermal model: design columns, window sums, constrained solve.

The room is a grey-box heat balance on the slot grid (rates in °C per hour)::

    dT/dt = k_out (T_out - T) + k_mass (T_mass - T) + k_nb (T_nb - T)
            + g_heat u(t - lag) + g_cool c(t - lag) + g_sun sun + bias [+ daily sin/cos]

``T_mass`` is the building mass, tracked as a slow exponential average of the air temperature
(time constant ``tau_mass_h``): it is what a two-node RC model's second node does, without a
hidden state to estimate. The equation is integrated over one-hour windows before fitting, so
5-minute sensor noise and 0.1 °C rounding average out instead of dominating the slopes.
"""

from functools import lru_cache
import math

import numpy as np

from ..core.grid import SLOT_SECONDS, SLOTS_PER_HOUR
from ..core.timebase import hour_of_week
from ..core.types import FloatArray

STEP_H = SLOT_SECONDS / 3600.0
WINDOW_SLOTS = SLOTS_PER_HOUR
RIDGE = 1e-6
K_OUT_MIN = 1.0 / 2000.0  # a time constant above 2000 h says "no loss seen", not physics
# Sign each coefficient must keep: losses pull toward the other side, heating warms, cooling cools.
SIGNS = {"out": 1.0, "mass": 1.0, "nb": 1.0, "heat": 1.0, "cool": -1.0, "sun": 1.0}
FLOORS = {"out": K_OUT_MIN}


def mass_average(temperature: FloatArray, tau_h: float, start: float | None = None) -> FloatArray:
    """Exponential average of ``temperature`` (time constant ``tau_h``); NaN slots hold it."""
    alpha = mass_alpha(tau_h)
    out = np.empty(len(temperature))
    m = start
    for i, t in enumerate(temperature.tolist()):
        if not math.isnan(t):
            m = t if m is None else m + alpha * (t - m)
        out[i] = math.nan if m is None else m
    return out


def mass_alpha(tau_h: float) -> float:
    """Per-slot weight of the newest temperature in the mass average."""
    return 1.0 - math.exp(-STEP_H / tau_h)


@lru_cache(maxsize=16)
def daily_terms(start_slot: int, n: int, tz: str) -> tuple[FloatArray, FloatArray]:
    """sin and cos of the local time of day (hour resolution plus the slot within the hour).

    Cached (read-only arrays): fitting and batch forecasts ask for the same range many times.
    """
    hour = hour_of_week(start_slot, n, tz) % 24
    frac = (np.arange(start_slot, start_slot + n) % SLOTS_PER_HOUR) / SLOTS_PER_HOUR
    angle = 2.0 * np.pi * (hour + frac) / 24.0
    sin, cos = np.sin(angle), np.cos(angle)
    sin.flags.writeable = cos.flags.writeable = False
    return sin, cos


def lagged(x: FloatArray, lag: int, history: FloatArray | None = None) -> FloatArray:
    """``x`` delayed by ``lag`` slots; the first slots come from ``history`` (or are NaN)."""
    if lag == 0:
        return x
    head = np.full(lag, np.nan) if history is None else history[-lag:]
    return np.concatenate([head, x[: len(x) - lag]])


def window_sums(
    columns: FloatArray, temperature: FloatArray, excluded: FloatArray, window: int = WINDOW_SLOTS
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Integrated regression rows: (sum of columns x step, T change, end index) per valid window.

    A window is valid when every slot in it has all columns, both end temperatures exist and no
    slot is ``excluded`` (open window, faulty data).
    """
    n = len(temperature)
    if n <= window:
        empty = np.empty((0, columns.shape[1]))
        return empty, np.empty(0), np.empty(0)
    bad = np.isnan(columns).any(axis=1) | (excluded > 0)
    filled = np.where(np.isnan(columns), 0.0, columns)
    csum = np.vstack([np.zeros((1, columns.shape[1])), np.cumsum(filled, axis=0)])
    cbad = np.concatenate([[0], np.cumsum(bad)])
    k = np.arange(n - window)
    rows = (csum[k + window] - csum[k]) * STEP_H
    change = temperature[k + window] - temperature[k]
    ok = (cbad[k + window] - cbad[k] == 0) & ~np.isnan(change)
    return rows[ok], change[ok], (k + window)[ok].astype(np.float64)


def solve(
    xtx: FloatArray, xty: FloatArray, names: tuple[str, ...]
) -> tuple[FloatArray, dict[str, float]]:
    """Ridge least squares with sign constraints; returns coefficients and the ones pinned.

    A coefficient with the wrong sign (e.g. heating that seems to cool, which happens in summer
    when the heater never runs) is pinned to its floor and the rest is solved again.
    """
    p = len(names)
    fixed: dict[int, float] = {}
    coef = np.zeros(p)
    scale = np.maximum(np.diag(xtx), 1e-12)
    for _ in range(p + 1):
        free = [i for i in range(p) if i not in fixed]
        rhs = xty[free] - xtx[np.ix_(free, list(fixed))] @ np.array(list(fixed.values()))
        lhs = xtx[np.ix_(free, free)] + np.diag(RIDGE * scale[free])
        coef[free] = np.linalg.solve(lhs, rhs)
        for i, v in fixed.items():
            coef[i] = v
        wrong = [
            i
            for i in free
            if names[i] in SIGNS and coef[i] * SIGNS[names[i]] < FLOORS.get(names[i], 0.0)
        ]
        if not wrong:
            break
        for i in wrong:
            fixed[i] = SIGNS[names[i]] * FLOORS.get(names[i], 0.0)
    return coef, {names[i]: v for i, v in fixed.items()}
