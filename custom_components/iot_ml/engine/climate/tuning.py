"""Per-zone smart-climate settings learned from the zone's own models, never the ground truth.

The arrival threshold is calibrated on the zone's recent history as the live detector saw it:
replay the routine forecast from every past slot, and pick the highest threshold whose estimated
miss share (occupied minutes that would have found the room cold) stays under a target. Brief,
hard-to-time visits (bathroom, hall) get a low threshold, which keeps comfort through their usual
hours; rooms with firm routines (bedroom, living room) keep a high one and save the most.
"""

from dataclasses import replace
import math

import numpy as np
import numpy.typing as npt

from ..core.grid import SLOT_SECONDS, SLOTS_PER_DAY
from ..core.timebase import hour_of_week
from ..core.types import FloatArray
from ..occupancy.routine import RoutineModel, fit_routine, propagate
from ..thermal.model import ThermalModel, ThermalState
from .policy import ClimateSettings

THRESHOLDS = (0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.12, 0.1, 0.08, 0.06, 0.05, 0.04, 0.03, 0.02)
TARGET_MISS = 0.005  # per zone, of detected occupied slots; the estimate is optimistic (in-sample)
# With the home's presence: brief unplanned visits come while someone is home, so that
# threshold aims lower; while nobody is home only arrivals home count, and can aim higher.
HOME_MISS = 0.002
AWAY_MISS = 0.05
FALLBACK_LEAD_SLOTS = 12
FOLDS = 2  # weeks replayed out of sample
RECENT_SLOTS = 6  # heated this long before an arrival: warm enough


def heat_up_slots(
    settings: ClimateSettings, model: ThermalModel | None, slot: int, outdoor: float
) -> int:
    """Slots from eco to comfort - tolerance on full heat, margin included."""
    if model is None:
        return FALLBACK_LEAD_SLOTS
    eco = settings.eco_c
    state = ThermalState(slot=slot, temperature=eco, mass=eco, outdoor=outdoor)
    minutes = model.minutes_to_reach(state, settings.comfort_c - settings.tolerance_c)
    minutes = 120.0 if minutes is None else minutes
    return max(1, math.ceil((minutes + settings.margin_min) * 60 / SLOT_SECONDS))


def calibrate(
    posterior: FloatArray,
    start_slot: int,
    tz: str,
    lead: int,
    *,
    folds: int = FOLDS,
    select: npt.NDArray[np.bool_] | None = None,
    target: float = TARGET_MISS,
) -> tuple[float, dict[str, float]]:
    """The highest threshold with an estimated miss share under ``target``.

    ``select`` (per slot, aligned with ``posterior``) restricts the estimate to arrivals, and
    occupied slots, whose heating decision (``lead`` slots before) fell on a selected slot: the
    slots when someone was home, say.

    ``posterior`` is the detector's P(occupied) per slot from ``start_slot``. Out of sample:
    each of the last ``folds`` weeks is replayed with a routine fitted on the other days (an
    hour-of-week routine fitted on the replayed week itself remembers its one-off visits). As in
    the live loop, the decision at slot s forecasts from s - 1 and heats when any of slots
    s+1..s+lead reaches the threshold; an arrival finds the room warm when heat was on ``lead``
    slots before or all through the last half hour. A cold arrival costs up to ``lead`` slots.
    """
    p = np.nan_to_num(posterior, nan=0.0)
    n = len(p)
    week = 7 * SLOTS_PER_DAY
    missed = dict.fromkeys(THRESHOLDS, 0.0)
    total = 0.0
    for f in range(folds):
        lo, hi = n - (f + 1) * week, n - f * week
        if lo < week:  # keep at least a week to fit on
            break
        labels = posterior.copy()
        labels[lo:hi] = np.nan
        routine = fit_routine(labels, start_slot + n, tz)
        part = None if select is None else select[lo:hi]
        fold_missed, occupied = _replay(routine, p[lo:hi], start_slot + lo, lead, part)
        total += occupied
        for t in THRESHOLDS:
            missed[t] += fold_missed[t]
    stats = {f"{t:g}": round(missed[t] / max(1.0, total), 4) for t in THRESHOLDS}
    if total == 0:
        return THRESHOLDS[0], stats
    for t in THRESHOLDS:
        if missed[t] / total <= target:
            return t, stats
    return THRESHOLDS[-1], stats


def _replay(
    routine: RoutineModel,
    p: FloatArray,
    start_slot: int,
    lead: int,
    select: npt.NDArray[np.bool_] | None = None,
) -> tuple[dict[float, float], float]:
    """Missed occupied slots per threshold, and all occupied slots, over one replayed span."""
    n = len(p)
    steps = lead + 1
    origins = np.arange(n - steps)
    how = hour_of_week(start_slot, n + steps, routine.tz)
    forecast = propagate(routine, p[origins], how[origins[:, None] + np.arange(steps)])
    peak = forecast[:, 1:].max(axis=1)  # decision at origin + 1 looks at slots origin+2 ..
    occ = p >= 0.5
    arrivals = np.flatnonzero(occ[1:] & ~occ[:-1]) + 1
    arrivals = arrivals[(arrivals >= lead + 1) & (arrivals < len(origins))]
    counted = occ.copy()
    if select is not None:
        arrivals = arrivals[select[arrivals - lead]]
        counted[lead:] &= select[:-lead]
    # How many occupied slots each arrival's visit has, capped at the heat-up time.
    runs = np.array([_run(occ, t, lead) for t in arrivals], dtype=np.float64)
    missed: dict[float, float] = {}
    for threshold in THRESHOLDS:
        heating = (p[origins] >= 0.5) | (peak >= threshold)
        # Decision at slot s is heating[s - 1]: warm at arrival t if heat was on at t - lead,
        # or all through the last half hour (a detector that lost a still sleeper, say).
        on = np.concatenate(([False], heating))  # on[s]: the decision at slot s
        held = np.ones(len(arrivals), dtype=bool)
        for k in range(1, min(lead, RECENT_SLOTS) + 1):
            held &= on[arrivals - k]
        warm = on[arrivals - lead] | held
        missed[threshold] = float(runs[~warm].sum())
    return missed, float(counted[lead + 1 : len(origins)].sum())


def _run(occ: npt.NDArray[np.bool_], t: int, cap: int) -> int:
    end = min(len(occ), t + cap)
    k = t
    while k < end and occ[k]:
        k += 1
    return k - t


def zone_settings(
    base: ClimateSettings,
    tz: str,
    thermal: ThermalModel | None,
    posterior: FloatArray,
    start_slot: int,
    *,
    outdoor: float,
    home: FloatArray | None = None,
) -> tuple[ClimateSettings, dict[str, float]]:
    """``base`` with the zone's calibrated arrival threshold (``tz``: the routine's zone).

    With ``home`` (P(someone home) per slot, aligned with ``posterior``, from the home-level
    presence detector) the thresholds while someone is home and while nobody is are also
    calibrated, each on its own arrivals; ``decide(home_occupied=...)`` then picks one.
    """
    lead = heat_up_slots(base, thermal, start_slot + len(posterior), outdoor)
    threshold, stats = calibrate(posterior, start_slot, tz, lead)
    tuned = replace(base, arrival_threshold=threshold)
    info: dict[str, float] = {"lead_slots": lead, **stats}
    if home is not None:
        at_home = np.nan_to_num(home, nan=0.0) >= base.home_threshold
        home_t, _ = calibrate(posterior, start_slot, tz, lead, select=at_home, target=HOME_MISS)
        away_t, _ = calibrate(posterior, start_slot, tz, lead, select=~at_home, target=AWAY_MISS)
        tuned = replace(tuned, home_arrival_threshold=home_t, away_arrival_threshold=away_t)
        info |= {"home_threshold": home_t, "away_threshold": away_t}
    return tuned, info
