"""Smart climate: what a zone's thermostat should do now, and the plan behind it.

One pure decision used by the pre-heat benchmark and the Home Assistant switch alike: comfort
while occupied (and while the detector's posterior still fades after the last motion), pre-heat
so comfort is there when people are predicted to arrive, eco when the zone is predicted empty,
off while a window is open. Setpoints never leave the entity's min/max. ``arrival_threshold``
can be tuned per zone (the pre-heat benchmark calibrates it on the zone's replayed forecasts):
low for rooms of brief, hard-to-time visits, which then stay warm through their usual hours.
"""

from dataclasses import dataclass
import math

import numpy as np

from ..core.grid import SLOT_SECONDS, slot_start
from ..core.types import FloatArray
from ..thermal.model import ThermalModel, ThermalState

WINDOW_OPEN = "window_open"
COMFORT = "comfort"
PREHEAT = "preheat"
HOLD = "hold"
SETBACK = "setback"
FALLBACK_LEAD_MIN = 60.0  # pre-heat lead before a thermal model exists


@dataclass(frozen=True, slots=True)
class ClimateSettings:
    """The zone's temperatures and how cautious the policy is."""

    comfort_c: float
    eco_c: float
    min_temp_c: float = 7.0
    max_temp_c: float = 35.0
    occupied_threshold: float = 0.5  # P(occupied) now counted as occupied
    arrival_threshold: float = 0.25  # forecast P(occupied) worth being warm for (brief visits
    # to a hall or bathroom rarely forecast above 0.5, yet are missed minutes all the same)
    margin_min: float = 15.0  # start this much earlier than the thermal model says
    tolerance_c: float = 0.3  # pre-heat aims at comfort - tolerance (the thermostat does the rest)
    hold_min: float = 30.0  # an absence shorter than this keeps comfort
    # P(occupied) still worth keeping comfort for: the detector's posterior decays for a while
    # after the last motion, so this holds comfort through still sleepers and short absences.
    hold_threshold: float = 0.2
    max_lead_min: float = 480.0  # never plan further ahead than this
    # With the home's presence known (``decide(home_occupied=...)``): the arrival threshold while
    # someone is home (brief unplanned visits happen then) and while nobody is (only arrivals
    # home matter). None: ``arrival_threshold`` either way.
    home_arrival_threshold: float | None = None
    away_arrival_threshold: float | None = None
    home_threshold: float = 0.5  # P(home occupied) counted as someone home


@dataclass(frozen=True, slots=True)
class ClimateDecision:
    """What to set now, why, and the pre-heat start planned for the next arrival."""

    hvac_mode: str  # "heat" or "off"
    setpoint_c: float | None
    reason: str  # window_open, comfort, preheat, hold or setback
    preheat_start: float | None  # epoch seconds (may be in the past while pre-heating)
    arrival: float | None  # epoch seconds of the predicted arrival it plans for


@dataclass(frozen=True, slots=True)
class HeatingPlan:
    """Heat fully from ``start`` to reach ``target_c`` at ``at``."""

    start: float  # epoch seconds
    at: float
    target_c: float
    reachable: bool  # False: even starting now the target is not reached in time
    trajectory: FloatArray  # expected temperature at the end of each slot from now to ``at``
    energy_kwh: float  # heater-on hours x rated power (kW); per full-power hour if power is 1


def clamp(value: float, settings: ClimateSettings) -> float:
    """``value`` within the entity's min/max."""
    return min(settings.max_temp_c, max(settings.min_temp_c, value))


def next_arrival_slot(forecast: FloatArray, now_slot: int, threshold: float) -> int | None:
    """First forecast slot (``forecast[k]`` is slot ``now_slot + 1 + k``) at or above threshold."""
    hits = np.flatnonzero(np.asarray(forecast) >= threshold)
    return now_slot + 1 + int(hits[0]) if len(hits) else None


def arrival_threshold(settings: ClimateSettings, home_occupied: float | None) -> float:
    """The forecast P(occupied) worth being warm for, given P(someone home now) if known."""
    if home_occupied is None or math.isnan(home_occupied):
        return settings.arrival_threshold
    home = home_occupied >= settings.home_threshold
    chosen = settings.home_arrival_threshold if home else settings.away_arrival_threshold
    return settings.arrival_threshold if chosen is None else chosen


def decide(
    settings: ClimateSettings,
    state: ThermalState,
    occupied_now: float,
    forecast: FloatArray,
    model: ThermalModel | None,
    *,
    window_open: bool = False,
    home_occupied: float | None = None,
) -> ClimateDecision:
    """The decision at ``state.slot`` from P(occupied) now and over the next slots.

    ``home_occupied``: P(someone is home now) from the home-level presence detector; it picks
    ``home_arrival_threshold`` or ``away_arrival_threshold`` when those are set.
    """
    comfort, eco = clamp(settings.comfort_c, settings), clamp(settings.eco_c, settings)
    if window_open:
        return ClimateDecision("off", None, WINDOW_OPEN, None, None)
    if occupied_now >= settings.occupied_threshold:
        return ClimateDecision("heat", comfort, COMFORT, None, None)
    if occupied_now >= min(settings.hold_threshold, settings.occupied_threshold):
        return ClimateDecision("heat", comfort, HOLD, None, None)
    max_slots = int(settings.max_lead_min * 60 / SLOT_SECONDS)
    threshold = arrival_threshold(settings, home_occupied)
    arrival = next_arrival_slot(forecast[:max_slots], state.slot, threshold)
    if arrival is None:
        return ClimateDecision("heat", eco, SETBACK, None, None)
    start = _start_slot(settings, state, model, arrival, comfort=comfort, eco=eco)
    arrival_ts = slot_start(arrival)
    start_ts = slot_start(start)
    if state.slot >= start:
        return ClimateDecision("heat", comfort, PREHEAT, start_ts, arrival_ts)
    if (arrival - state.slot) * SLOT_SECONDS / 60 <= settings.hold_min:
        return ClimateDecision("heat", comfort, HOLD, start_ts, arrival_ts)
    return ClimateDecision("heat", eco, SETBACK, start_ts, arrival_ts)


def _start_slot(
    settings: ClimateSettings,
    state: ThermalState,
    model: ThermalModel | None,
    arrival: int,
    *,
    comfort: float,
    eco: float,
) -> int:
    """When to start heating for ``arrival``, margin included (now if already late)."""
    margin = math.ceil(settings.margin_min * 60 / SLOT_SECONDS)
    if model is None:
        lead = math.ceil(FALLBACK_LEAD_MIN * 60 / SLOT_SECONDS)
        return arrival - lead - margin
    target = comfort - settings.tolerance_c
    latest = model.latest_start(state, target, arrival, floor=eco)
    return state.slot if latest is None else latest - margin


def plan_heating(
    state: ThermalState,
    model: ThermalModel,
    target_c: float,
    at: float,
    *,
    floor: float | None = None,
    heater_kw: float = 1.0,
) -> HeatingPlan:
    """Latest full-power start to reach ``target_c`` at epoch ``at``, its trajectory and energy.

    Unreachable targets plan a start now. Energy is heater-on time x ``heater_kw``.
    """
    at_slot = max(state.slot, math.ceil(at / SLOT_SECONDS))
    latest = model.latest_start(state, target_c, at_slot, floor=floor)
    start = state.slot if latest is None else latest
    n = at_slot - state.slot
    plan = np.zeros(n)
    plan[start - state.slot :] = 1.0
    trajectory = model.predict(state, plan, floor=floor) if n else np.empty(0)
    return HeatingPlan(
        start=slot_start(start),
        at=slot_start(at_slot),
        target_c=target_c,
        reachable=latest is not None,
        trajectory=trajectory,
        energy_kwh=float(plan.sum()) * SLOT_SECONDS / 3600.0 * heater_kw,
    )
