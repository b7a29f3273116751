"""Thermal engine: parameters recovered from synthetic rooms, gaps, windows, faults, JSON."""

import json
import math

import numpy as np
import pytest

from custom_components.iot_ml.engine.core.grid import SLOTS_PER_DAY, SLOTS_PER_HOUR
from custom_components.iot_ml.engine.thermal.detect import (
    FaultDetector,
    RapidDropDetector,
    flag_rapid_drops,
)
from custom_components.iot_ml.engine.thermal.fit import STEP_H, mass_average, solve
from custom_components.iot_ml.engine.thermal.model import (
    ThermalModel,
    ThermalSeries,
    ThermalState,
    batch_forecast,
    fit_thermal,
    open_loop_mae,
    state_at,
)

START = 1704067200 // 300  # 2024-01-01 00:00 UTC
K_OUT = 1 / 30.0  # 1/h: a 30 h room
GAIN = 3.0  # °C/h with the heater on full


def synthetic_room(
    days: int = 14, seed: int = 0, window_at: list[int] | None = None, noise: float = 0.02
) -> ThermalSeries:
    """A first-order room with known loss and gain, a heater cycling on a thermostat."""
    rng = np.random.default_rng(seed)
    n = days * SLOTS_PER_DAY
    slots = np.arange(n)
    outdoor = 5 + 4 * np.sin(2 * np.pi * slots / SLOTS_PER_DAY) + rng.normal(0, 0.2, n)
    setpoint = np.where((slots % SLOTS_PER_DAY) > 6 * SLOTS_PER_HOUR, 20.0, 16.0)
    temp = np.empty(n)
    heat = np.zeros(n)
    t = 18.0
    on = False
    windows = set(window_at or [])
    for i in range(n):
        temp[i] = t
        on = t < (setpoint[i] if on else setpoint[i] - 0.3)
        heat[i] = 1.0 if on else 0.0
        dt = K_OUT * (outdoor[i] - t) + GAIN * heat[i]
        t = t + STEP_H * dt
        if i in windows:
            t -= 1.5  # a window opened: the air falls fast
    measured = temp + rng.normal(0, noise, n)
    return ThermalSeries(start_slot=START, temperature=measured, heating=heat, outdoor=outdoor)


@pytest.fixture(scope="module")
def room() -> ThermalSeries:
    return synthetic_room()


@pytest.fixture(scope="module")
def model(room: ThermalSeries) -> ThermalModel:
    return fit_thermal(room)


def test_recovers_known_parameters(model: ThermalModel) -> None:
    assert model.c("heat") == pytest.approx(GAIN, rel=0.1)
    assert model.c("out") + model.c("mass") * 0 == pytest.approx(K_OUT, rel=0.35)
    assert model.time_constant_h() == pytest.approx(30, rel=0.4)
    assert model.check_mae_c < 0.1
    assert model.lag == 0


def test_rates_and_predictions(model: ThermalModel, room: ThermalSeries) -> None:
    state = state_at(room, len(room.temperature) - 1, model.tau_mass_h)
    rates = model.rates(state)
    assert rates.heat_up_c_per_h is not None
    assert rates.heat_up_c_per_h == pytest.approx(model.c("heat") - rates.loss_c_per_h, abs=1e-9)
    assert rates.loss_c_per_h > 0  # indoors warmer than outside: it cools
    assert rates.cool_down_c_per_h is None
    assert rates.dead_time_min == 0
    on = model.predict(state, np.ones(12))
    off = model.predict(state, np.zeros(12))
    assert np.all(np.diff(on) > 0)
    assert on[-1] - off[-1] == pytest.approx(GAIN, rel=0.15)  # one hour of heating


def test_minutes_to_reach_and_latest_start(model: ThermalModel) -> None:
    state = ThermalState(slot=START, temperature=17.0, mass=17.0, outdoor=5.0)
    minutes = model.minutes_to_reach(state, 20.0)
    assert minutes is not None
    assert 55 < minutes < 80  # 3 K at ~3 K/h minus losses
    assert model.minutes_to_reach(state, 17.0) == 0.0
    assert model.minutes_to_reach(state, 60.0) is None
    assert model.minutes_to_reach(state, 10.0) is None  # no cooling learned
    arrival = START + 4 * SLOTS_PER_HOUR
    start = model.latest_start(state, 20.0, arrival)
    assert start is not None
    assert arrival - 20 <= start <= arrival - 12  # 60-100 min before
    path = model.predict(state, np.r_[np.zeros(start - START), np.ones(arrival - start)])
    assert path[-1] >= 20.0
    assert model.latest_start(state, 14.0, arrival) == arrival  # warm enough without heating
    assert model.latest_start(state, 40.0, arrival) is None
    assert model.latest_start(state, 20.0, START) is None
    assert model.latest_start(state, 15.0, START) == START
    floored = model.latest_start(state, 20.0, arrival + 6 * SLOTS_PER_HOUR, floor=17.0)
    later = arrival + 6 * SLOTS_PER_HOUR
    assert floored is not None and later - 20 <= floored <= later - 12  # held at 17 C till then


def test_gaps_do_not_break_fitting() -> None:
    room = synthetic_room(seed=1)
    temp = room.temperature.copy()
    rng = np.random.default_rng(3)
    for s in rng.integers(0, len(temp) - 40, 30):
        temp[s : s + int(rng.integers(1, 40))] = np.nan
    gappy = ThermalSeries(room.start_slot, temp, room.heating, room.outdoor)
    model = fit_thermal(gappy)
    assert model.c("heat") == pytest.approx(GAIN, rel=0.15)
    state = state_at(gappy, len(temp) - 1)
    assert not math.isnan(state.temperature)


def test_too_little_data_is_refused() -> None:
    room = synthetic_room(days=1)
    short = ThermalSeries(START, room.temperature[:100], room.heating[:100], room.outdoor[:100])
    with pytest.raises(ValueError, match="usable hours"):
        fit_thermal(short)


def test_window_drops_are_flagged_and_left_out() -> None:
    drops = [2 * SLOTS_PER_DAY + 8 * SLOTS_PER_HOUR + k * SLOTS_PER_DAY for k in range(10)]
    room = synthetic_room(window_at=drops)
    flags = flag_rapid_drops(room.temperature)
    for d in drops:
        assert flags[d + 1]
    assert flags.mean() < 0.1
    model = fit_thermal(room)
    assert model.c("heat") == pytest.approx(GAIN, rel=0.1)  # the drops did not bias it
    det = RapidDropDetector()
    temps = room.temperature[: drops[0] + 5]
    changes = np.diff(temps, prepend=math.nan)
    seen = [det.step(float(c), 0.0) for c in changes]  # a model expecting no change
    assert any(seen[drops[0] :]) and not any(seen[: drops[0]])
    assert det.open
    restored = RapidDropDetector.from_json(json.loads(json.dumps(det.to_json())))
    assert restored == det
    det.step(math.nan, 0.0)
    assert math.isnan(RapidDropDetector.from_json(det.to_json()).residuals[-1])


def test_a_setback_the_model_expects_is_not_a_window() -> None:
    """Heating off, the air falls 0.6 °C a slot as the model says it will: no window. The same
    fall while the model expects the room to hold its temperature is one."""
    det = RapidDropDetector()
    assert not any(det.step(-0.6, -0.55) for _ in range(6))
    assert not det.open
    assert [det.step(-0.3, 0.0) for _ in range(2)] == [False, True]
    old = {"drop_c": 0.5, "span": 2, "recovery": 12, "recent": [20.1, 20.0], "remaining": 0}
    assert RapidDropDetector.from_json(old).residuals == ()  # saved before residuals


def test_summer_without_heating_pins_the_gain() -> None:
    room = synthetic_room()
    summer = ThermalSeries(START, room.temperature, np.zeros(len(room.temperature)), room.outdoor)
    model = fit_thermal(summer)
    state = state_at(summer, 500)
    assert model.rates(state).heat_up_c_per_h is None
    assert model.latest_start(state, state.temperature + 5, state.slot + 10) is None


def test_optional_inputs_and_daily_cycle() -> None:
    room = synthetic_room(days=7)
    n = len(room.temperature)
    cooling = np.zeros(n)
    cooling[100:130] = 1.0
    temp = room.temperature.copy()
    temp[101:] -= np.minimum(np.arange(n - 101), 30) * 0.05 * STEP_H * 12  # AC pulls it down
    full = ThermalSeries(
        START,
        temp,
        room.heating,
        room.outdoor,
        cooling=cooling,
        solar=np.clip(np.sin(np.arange(n) / 20), 0, None),
        neighbour=np.full(n, 19.0),
        excluded=np.zeros(n),
    )
    model = fit_thermal(full, tz="Europe/Berlin")
    assert {"cool", "sun", "nb", "sin", "cos"} <= set(model.names)
    state = state_at(full, n - 1, model.tau_mass_h)
    assert not math.isnan(state.neighbour)
    assert len(state.cooling_history) > 0
    path = model.predict(state, np.zeros(6), cooling=np.zeros(6), solar=np.zeros(6))
    assert np.all(np.isfinite(path))
    assert np.isfinite(model.rates(state).loss_c_per_h)
    assert open_loop_mae(model, full, 12) < 0.5
    pred, truth = batch_forecast(model, full, 6, stride=50, keep_paths=True)
    assert pred.shape[1] == 6 and len(truth) == len(pred)


def test_cooling_time_to_target() -> None:
    names = ("out", "heat", "cool", "bias")
    model = ThermalModel(
        names=names,
        coef=(0.02, 3.0, -2.0, 0.0),
        tau_mass_h=None,
        lag=1,
        tz=None,
        check_mae_c=0.1,
        heating_windows=100,
        stats_slot=START,
        xtx=np.eye(4),
        xty=np.zeros(4),
    )
    state = ThermalState(slot=START, temperature=26.0, mass=26.0, outdoor=30.0)
    minutes = model.minutes_to_reach(state, 25.0)
    assert minutes is not None and 30 < minutes < 50  # 5 min dead time + ~1 K at ~1.9 K/h
    assert model.rates(state).cool_down_c_per_h == pytest.approx(2.0 - 0.08, abs=1e-6)
    assert model.rates(state).dead_time_min == 5


def test_online_update_tracks_a_changed_room(room: ThermalSeries, model: ThermalModel) -> None:
    assert model.updated(room) is model  # nothing new
    later = synthetic_room(days=21, seed=5)
    weaker = ThermalSeries(
        START + len(room.temperature),
        later.temperature,
        later.heating,
        later.outdoor,
    )
    updated = model.updated(weaker)
    assert updated.stats_slot > model.stats_slot
    assert updated.heating_windows > model.heating_windows
    assert updated.c("heat") == pytest.approx(GAIN, rel=0.15)


def test_json_round_trip(model: ThermalModel) -> None:
    data = json.loads(json.dumps(model.to_json()))
    back = ThermalModel.from_json(data)
    assert back.names == model.names and back.coef == model.coef
    assert back.tau_mass_h == model.tau_mass_h and back.lag == model.lag
    np.testing.assert_allclose(back.xtx, model.xtx)
    state = ThermalState(slot=START, temperature=17.0, mass=17.0, outdoor=5.0)
    assert back.minutes_to_reach(state, 20.0) == model.minutes_to_reach(state, 20.0)
    with pytest.raises(ValueError, match="version"):
        ThermalModel.from_json({**data, "version": 99})
    with pytest.raises(ValueError, match="match"):
        ThermalModel.from_json({**data, "coef": data["coef"][:-1]})
    with_mass = ThermalModel.from_json({**data, "tau_mass_h": 12.0, "tz": "UTC"})
    assert with_mass.tau_mass_h == 12.0 and with_mass.tz == "UTC"


def test_mass_node_time_constant() -> None:
    names = ("out", "mass", "heat", "bias")
    model = ThermalModel(names, (0.01, 0.5, 3.0, 0.0), 24.0, 0, None, 0.1, 100, START,
                         np.eye(4), np.zeros(4))  # fmt: skip
    assert model.time_constant_h() > 90  # the mass makes the room far slower than the air
    m = mass_average(np.array([math.nan, 10.0, 20.0, math.nan]), 1.0)
    assert math.isnan(m[0]) and m[1] == 10.0 and 10 < m[2] < 20 and m[3] == m[2]


def test_solve_pins_wrong_signs() -> None:
    xtx = np.array([[2.0, 0.0], [0.0, 2.0]])
    coef, pinned = solve(xtx, np.array([-1.0, 4.0]), ("heat", "bias"))
    assert pinned == {"heat": 0.0}
    assert coef[1] == pytest.approx(2.0, rel=1e-4)


def healthy_and_broken(model: ThermalModel, broken: bool) -> list[bool]:
    """Feed a detector six hours of steady heating with the learned (or no) effect."""
    det = FaultDetector()
    gain = model.c("heat")
    out = []
    for _ in range(6 * SLOTS_PER_HOUR):
        expected_off = -0.02
        observed = expected_off + (0.0 if broken else gain * STEP_H)
        out.append(det.step(1.0, observed, expected_off, gain))
    return out


def test_fault_detected_only_when_broken(model: ThermalModel) -> None:
    broken = healthy_and_broken(model, broken=True)
    healthy = healthy_and_broken(model, broken=False)
    assert not any(healthy)
    assert broken[-1]
    first = broken.index(True)
    assert 80 <= first * 5 <= 100  # about FAULT_MINUTES of evidence
    # Short heating bursts that do nothing never raise it.
    det = FaultDetector()
    for k in range(6 * SLOTS_PER_HOUR):
        assert not det.step(1.0 if k % 12 == 0 else 0.0, -0.02, -0.02, 3.0)
    # It clears once the heater works again, and survives JSON.
    det = FaultDetector()
    for _ in range(30):
        det.step(1.0, -0.02, -0.02, 3.0)
    assert det.fault
    det = FaultDetector.from_json(json.loads(json.dumps(det.to_json())))
    assert det.fault
    for _ in range(40):
        det.step(1.0, 3.0 * STEP_H, 0.0, 3.0)
    assert not det.fault
    assert not det.step(1.0, math.nan, 0.0, 3.0)


def test_cooling_fault() -> None:
    det = FaultDetector(direction=-1.0)
    for _ in range(30):
        det.step(1.0, 0.01, 0.01, -2.0)
    assert det.fault
    ok = FaultDetector(direction=-1.0)
    for _ in range(30):
        ok.step(1.0, 0.01 - 2.0 * STEP_H, 0.01, -2.0)
    assert not ok.fault


def test_flag_rapid_drops_edges() -> None:
    assert not flag_rapid_drops(np.array([20.0])).any()
    flags = flag_rapid_drops(np.array([20.0, 20.0, np.nan, 19.0, 19.0]))
    assert flags[3]
