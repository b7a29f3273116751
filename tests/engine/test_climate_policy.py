"""Smart climate decisions: comfort, pre-heat timing, set-back, windows, limits, plans."""

import numpy as np
import pytest

from custom_components.iot_ml.engine.climate.policy import (
    COMFORT,
    HOLD,
    PREHEAT,
    SETBACK,
    WINDOW_OPEN,
    ClimateSettings,
    clamp,
    decide,
    next_arrival_slot,
    plan_heating,
)
from custom_components.iot_ml.engine.core.grid import SLOT_SECONDS, SLOTS_PER_HOUR, slot_start
from custom_components.iot_ml.engine.thermal.model import ThermalModel, ThermalState

NOW = 1704067200 // 300
SETTINGS = ClimateSettings(comfort_c=20.5, eco_c=17.0, margin_min=10.0)


def room_model(gain: float = 3.0) -> ThermalModel:
    """A first-order room: 30 h time constant, ``gain`` °C/h on full heat."""
    names = ("out", "heat", "bias")
    return ThermalModel(names, (1 / 30, gain, 0.0), None, 0, None, 0.05, 500, NOW,
                        np.eye(3), np.zeros(3))  # fmt: skip


def cold_state(temp: float = 17.0) -> ThermalState:
    return ThermalState(slot=NOW, temperature=temp, mass=temp, outdoor=5.0)


def arrival_in(hours: float, length: int = 288) -> np.ndarray:
    """A forecast that jumps to certain occupancy ``hours`` from now."""
    series = np.zeros(length)
    series[int(hours * SLOTS_PER_HOUR) - 1 :] = 0.9
    return series


def test_occupied_keeps_comfort_and_window_turns_off() -> None:
    d = decide(SETTINGS, cold_state(), 0.9, np.zeros(288), room_model())
    assert (d.hvac_mode, d.setpoint_c, d.reason) == ("heat", 20.5, COMFORT)
    d = decide(SETTINGS, cold_state(), 0.9, np.zeros(288), room_model(), window_open=True)
    assert (d.hvac_mode, d.setpoint_c, d.reason) == ("off", None, WINDOW_OPEN)


def test_empty_with_no_arrival_sets_back() -> None:
    d = decide(SETTINGS, cold_state(), 0.1, np.full(288, 0.1), room_model())
    assert (d.setpoint_c, d.reason, d.preheat_start) == (17.0, SETBACK, None)


def test_preheat_starts_just_in_time() -> None:
    model = room_model()
    state = cold_state()
    far = decide(SETTINGS, state, 0.0, arrival_in(4), model)
    assert far.reason == SETBACK and far.setpoint_c == 17.0
    assert far.arrival == slot_start(NOW + 4 * SLOTS_PER_HOUR)
    assert far.preheat_start is not None
    lead_min = (far.arrival - far.preheat_start) / 60
    # ~3.2 K at ~2.6 K/h net is ~75 min, plus the 10 min margin.
    assert 70 <= lead_min <= 110
    # Decided again at the planned start, it pre-heats (comfort setpoint).
    start_slot = int(far.preheat_start // SLOT_SECONDS)
    later = ThermalState(slot=start_slot, temperature=17.0, mass=17.0, outdoor=5.0)
    remaining = arrival_in(4)[start_slot - NOW :]
    d = decide(SETTINGS, later, 0.0, remaining, model)
    assert (d.reason, d.setpoint_c) == (PREHEAT, 20.5)
    # A weaker heater starts earlier.
    weak = decide(SETTINGS, state, 0.0, arrival_in(4), room_model(gain=1.5))
    assert weak.preheat_start is not None and weak.preheat_start < far.preheat_start


def test_late_or_unreachable_preheats_now() -> None:
    d = decide(SETTINGS, cold_state(), 0.0, arrival_in(0.5), room_model())
    assert d.reason == PREHEAT
    d = decide(SETTINGS, cold_state(10.0), 0.0, arrival_in(2), room_model(gain=0.5))
    assert d.reason == PREHEAT and d.preheat_start == slot_start(NOW)


def test_short_absence_holds_and_warm_room_waits() -> None:
    warm = cold_state(20.5)
    d = decide(SETTINGS, warm, 0.0, arrival_in(0.25), room_model())
    assert d.reason == HOLD and d.setpoint_c == 20.5
    d = decide(SETTINGS, warm, 0.0, arrival_in(3), room_model())
    assert d.reason == SETBACK


def test_fading_occupancy_holds_comfort() -> None:
    """Right after the last motion the detector's posterior decays: comfort is held meanwhile."""
    empty = np.zeros(288)
    d = decide(SETTINGS, cold_state(), 0.3, empty, room_model())
    assert (d.reason, d.setpoint_c) == (HOLD, 20.5)
    d = decide(SETTINGS, cold_state(), 0.1, empty, room_model())
    assert d.reason == SETBACK
    strict = ClimateSettings(comfort_c=20.5, eco_c=17.0, hold_threshold=0.5)
    assert decide(strict, cold_state(), 0.3, empty, room_model()).reason == SETBACK


def test_a_low_arrival_threshold_keeps_brief_visit_rooms_warm() -> None:
    """A bathroom's forecast never rises far, yet someone will come: a zone-tuned threshold."""
    brief = np.full(288, 0.1)
    assert decide(SETTINGS, cold_state(), 0.0, brief, room_model()).reason == SETBACK
    tuned = ClimateSettings(comfort_c=20.5, eco_c=17.0, arrival_threshold=0.08)
    d = decide(tuned, cold_state(), 0.0, brief, room_model())
    assert (d.reason, d.setpoint_c) == (PREHEAT, 20.5)


def test_home_presence_picks_the_home_or_away_threshold() -> None:
    """Brief visits happen while someone is home: a lower threshold then, a higher one away."""
    brief = np.full(288, 0.1)
    split = ClimateSettings(
        comfort_c=20.5, eco_c=17.0, home_arrival_threshold=0.08, away_arrival_threshold=0.3
    )
    assert decide(split, cold_state(), 0.0, brief, room_model()).reason == SETBACK  # unknown
    home = decide(split, cold_state(), 0.0, brief, room_model(), home_occupied=0.9)
    assert (home.reason, home.setpoint_c) == (PREHEAT, 20.5)
    away = decide(split, cold_state(), 0.0, brief, room_model(), home_occupied=0.1)
    assert away.reason == SETBACK
    nan = decide(split, cold_state(), 0.0, brief, room_model(), home_occupied=float("nan"))
    assert nan.reason == SETBACK
    # Without split thresholds the home's presence changes nothing.
    assert decide(SETTINGS, cold_state(), 0.0, brief, room_model(), home_occupied=0.9).reason == (
        SETBACK
    )


def test_without_a_model_uses_a_fixed_lead() -> None:
    d = decide(SETTINGS, cold_state(), 0.0, arrival_in(1), None)
    assert d.reason == PREHEAT
    d = decide(SETTINGS, cold_state(), 0.0, arrival_in(3), None)
    assert d.reason == SETBACK
    assert d.preheat_start == slot_start(NOW + 3 * SLOTS_PER_HOUR - 12 - 2)


def test_never_outside_min_max() -> None:
    tight = ClimateSettings(comfort_c=26.0, eco_c=5.0, min_temp_c=10.0, max_temp_c=24.0)
    rng = np.random.default_rng(0)
    for _ in range(50):
        forecast = rng.random(288)
        d = decide(tight, cold_state(float(rng.uniform(5, 25))), float(rng.random()), forecast,
                   room_model())  # fmt: skip
        assert d.setpoint_c is None or 10.0 <= d.setpoint_c <= 24.0
    assert clamp(30.0, tight) == 24.0 and clamp(0.0, tight) == 10.0


def test_next_arrival_slot() -> None:
    assert next_arrival_slot(np.array([0.1, 0.2, 0.6]), NOW, 0.5) == NOW + 3
    assert next_arrival_slot(np.zeros(5), NOW, 0.5) is None


def test_plan_heating() -> None:
    model = room_model()
    at = slot_start(NOW + 4 * SLOTS_PER_HOUR)
    plan = plan_heating(cold_state(), model, 20.5, at, floor=17.0, heater_kw=2.0)
    assert plan.reachable
    assert plan.at == at and plan.start < at
    assert len(plan.trajectory) == 4 * SLOTS_PER_HOUR
    assert plan.trajectory[-1] >= 20.5
    heating_h = (plan.at - plan.start) / 3600
    assert plan.energy_kwh == pytest.approx(heating_h * 2.0)
    hopeless = plan_heating(cold_state(), room_model(gain=0.2), 25.0, at)
    assert not hopeless.reachable and hopeless.start == slot_start(NOW)
    now = plan_heating(cold_state(), model, 20.5, slot_start(NOW))
    assert len(now.trajectory) == 0 and now.energy_kwh == 0
