"""The virtual home: determinism, routines, physics, sensors, faults and speed."""

from collections import Counter
from datetime import datetime
import time

import numpy as np
import pytest

from simulator import HomeSpec, VirtualHome, default_home, simulate
from simulator.faults import DAY

START = datetime.fromisoformat("2026-10-05T00:00:00+00:00").timestamp()  # a Monday


@pytest.fixture(scope="module")
def eight_weeks():
    """One 8-week run shared by the checks below (timed)."""
    t0 = time.perf_counter()
    events, truth = simulate(default_home(), 1, START, 56)
    return events, truth, truth.arrays(), time.perf_counter() - t0


def test_deterministic() -> None:
    """Same seed, same events; another seed, other events."""
    a, _ = simulate(default_home(), 5, START, 3)
    b, _ = simulate(default_home(), 5, START, 3)
    c, _ = simulate(default_home(), 6, START, 3)
    assert a == b
    assert a != c


def test_chunked_advance_matches_one_call() -> None:
    """Advancing in pieces yields exactly the events of one long advance."""
    whole = VirtualHome(default_home(), 2, START)
    one = whole.advance(START + 2 * DAY)
    pieces = VirtualHome(default_home(), 2, START)
    chunks = []
    for hour in range(1, 49):
        chunks += pieces.advance(START + hour * 3600 + 17)
    assert chunks == one


def test_eight_weeks_is_fast(eight_weeks) -> None:
    """8 weeks simulate in seconds (measured ~9 s on the 2-core dev machine)."""
    assert eight_weeks[3] < 30


def test_routines(eight_weeks) -> None:
    """People are home most of the time, less on weekdays; nights in the bedroom; vacations empty."""
    _, _, arrays, _ = eight_weeks
    t = arrays["t"]
    hours = ((t - START) / 3600 + 1) % 24  # local (CET/CEST ~ UTC+1/2)
    weekday = (((t - START) // DAY) % 7).astype(int)
    home = arrays["home_occupied"].astype(bool)
    workday_noon = (weekday == 1) & (hours > 11) & (hours < 14)  # Tuesdays both commute
    weekend = weekday >= 5
    assert home[workday_noon].mean() < home[weekend].mean()
    night = (hours > 2) & (hours < 5) & home
    assert arrays["occupied.bedroom"][night].mean() > 0.95
    assert 0.6 < home.mean() < 0.95
    # A 4-day vacation: whole days with nobody home (the intruder's night excepted).
    days = home[: len(home) // 1440 * 1440].reshape(-1, 1440)
    assert (days.sum(axis=1) == 0).sum() >= 2
    assert (days.sum(axis=1) < 30).sum() >= 3


def test_physics_decay_and_heating() -> None:
    """With heating off a zone cools toward outdoor with its time constant; heating warms it."""
    spec = default_home()
    spec.faults = False
    home = VirtualHome(spec, 3, START)
    for zone in home.zones:
        home.set_heating_setpoint(zone, None)
    home.advance(START + DAY)
    arrays = home.truth.arrays()
    living = arrays["temperature.living_room"]
    assert living[-1] < living[0] - 0.5
    assert not arrays["heater_on.living_room"].any()
    for zone in home.zones:
        home.set_heating_setpoint(zone, 22.0)
    before = home.temperature[home.zones.index("bedroom")]
    home.advance(START + DAY + 3 * 3600)
    after = home.temperature[home.zones.index("bedroom")]
    assert after > before + 0.8  # about 0.7 K/h from 1.4 kW into a 6.8 MJ/K room
    assert spec.zone("living_room").time_constant_h == pytest.approx(30, abs=1)


def test_thermostat_holds_comfort(eight_weeks) -> None:
    """Once heated up after the night set-back, the scheduled 20 °C is held within half a degree."""
    _, _, arrays, _ = eight_weeks
    t = arrays["t"]
    hours = ((t - START) / 3600 + 1) % 24
    failure = next(f for f in eight_weeks[1].faults if f.kind == "heating_failure")
    day = (
        (hours > 12)
        & (hours < 21)
        & ((t - START) > DAY)
        & ~((t >= failure.start) & (t < failure.end + DAY))
    )
    living = arrays["temperature.living_room"][day]
    assert np.percentile(living, 5) > 19.4
    assert np.percentile(living, 95) < 20.6


def test_sensors_follow_people(eight_weeks) -> None:
    """Motion is on mostly when occupied; the front door opens at arrivals; trackers lag."""
    events, _, arrays, _ = eight_weeks
    t = arrays["t"]
    occupied = arrays["occupied.living_room"].astype(bool)
    motion = np.zeros(len(t), dtype=bool)
    on_since = None
    for e in events:
        if e.entity_id != "binary_sensor.living_room_motion":
            continue
        if e.state == "on":
            on_since = e.ts
        elif on_since is not None:
            motion[(t >= on_since) & (t < e.ts)] = True
            on_since = None
    assert motion[occupied].mean() > 0.85
    assert motion[~occupied].mean() < 0.05
    door_opens = [
        e.ts for e in events if e.entity_id == "binary_sensor.front_door" and e.state == "on"
    ]
    assert len(door_opens) > 100
    trackers = [e for e in events if e.entity_id == "device_tracker.phone_alex"]
    assert {e.state for e in trackers} == {"home", "not_home"}
    # Only real changes are emitted.
    last: dict[str, tuple] = {}
    for e in events[200:5000]:
        assert last.get(e.entity_id) != (e.state, e.attributes)
        last[e.entity_id] = (e.state, e.attributes)


def test_entities_have_ha_attributes(eight_weeks) -> None:
    """Sensors carry device class, unit and state class; climates their thermostat attributes."""
    events = eight_weeks[0]
    latest = {e.entity_id: e for e in events}
    temp = latest["sensor.living_room_temperature"].attributes
    assert temp["device_class"] == "temperature"
    assert temp["unit_of_measurement"] == "°C"
    assert temp["state_class"] == "measurement"
    climate = latest["climate.office"].attributes
    assert {"current_temperature", "temperature", "hvac_action", "min_temp", "max_temp"} <= set(
        climate
    )
    kinds = Counter(e.split(".")[0] for e in latest)
    assert kinds["binary_sensor"] == 6 + 1 + 1  # motion per zone, bedroom window, front door
    assert kinds["device_tracker"] == 2
    assert "sensor.outdoor_temperature" in latest


def test_faults_are_injected_with_truth(eight_weeks) -> None:
    """Each fault kind appears, after the first two weeks, and shows in the sensor data."""
    events, truth, _, _ = eight_weeks
    kinds = {f.kind for f in truth.faults}
    assert kinds == {"stuck", "spike", "drift", "dropout", "heating_failure", "intrusion"}
    assert all(f.start > START + 14 * DAY for f in truth.faults)
    spike = next(f for f in truth.faults if f.kind == "spike")
    assert any(
        e.entity_id == spike.target and e.state == "85.0" and spike.active(e.ts) for e in events
    )
    dropout = next(f for f in truth.faults if f.kind == "dropout")
    assert any(e.entity_id == dropout.target and e.state == "unavailable" for e in events)
    failure = next(f for f in truth.faults if f.kind == "heating_failure")
    powers = [
        e for e in events if e.entity_id == "sensor.office_heater_power" and failure.active(e.ts)
    ]
    assert all(e.state == "0" for e in powers)
    intrusion = next(f for f in truth.faults if f.kind == "intrusion")
    assert any(
        e.entity_id == "binary_sensor.hall_motion" and e.state == "on" and intrusion.active(e.ts)
        for e in events
    )


def test_faults_can_be_disabled() -> None:
    """HomeSpec.faults = False gives a clean home."""
    spec: HomeSpec = default_home()
    spec.faults = False
    _, truth = simulate(spec, 1, START, 1)
    assert truth.faults == []


def test_lights_and_controls() -> None:
    """A light switched by hand stays so until the zone's occupancy changes."""
    home = VirtualHome(default_home(), 4, START)
    home.set_light("light.kitchen", True)
    events = home.advance(START + 120)
    assert any(e.entity_id == "light.kitchen" and e.state == "on" for e in events)
    home.set_hvac_mode("kitchen", "off")
    assert home.setpoint("kitchen") is None
    home.set_hvac_mode("kitchen", "heat")
    assert home.setpoint("kitchen") in (17.0, 20.0)
