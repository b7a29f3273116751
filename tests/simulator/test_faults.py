"""Injected faults: one of each kind in 8 weeks, none while models learn, visible in the data."""

import numpy as np

from simulator import FaultWindow, StateChange
from simulator.faults import KINDS

from .conftest import DAY, START, Run, run


def _fault(run_: Run, kind: str) -> FaultWindow:
    found = [f for f in run_.truth.faults if f.kind == kind]
    assert found, kind
    return found[0]


def _changes_in(run_: Run, entity_id: str, start: float, end: float) -> list[StateChange]:
    return [c for c in run_.events if c.entity_id == entity_id and start <= c.ts < end]


def test_each_kind_once_after_two_weeks(eight_weeks: Run) -> None:
    faults = eight_weeks.truth.faults
    assert {f.kind for f in faults} == set(KINDS)
    for f in faults:
        assert START + 14 * DAY <= f.start < f.end <= START + 56 * DAY, f
    assert faults == sorted(faults, key=lambda f: f.start)
    assert eight_weeks.home.faults == faults


def test_no_faults_when_disabled() -> None:
    quiet = run(30, faults=False)  # seed 1 has faults from day 20 on
    assert quiet.truth.faults == []
    assert not any(c.state == "unavailable" for c in quiet.events)
    a = quiet.arrays
    for zone in quiet.home.zones:
        demand, heating = a[f"heat_demand.{zone}"], a[f"heater_on.{zone}"]
        assert np.array_equal(demand, heating)


def test_stuck_sensor_keeps_its_value(eight_weeks: Run) -> None:
    f = _fault(eight_weeks, "stuck")
    assert 3 * 3600 <= f.end - f.start <= 8 * 3600
    assert _changes_in(eight_weeks, f.target, f.start, f.end) == []
    before = _changes_in(eight_weeks, f.target, f.start - 3 * 3600, f.start)
    assert len(before) >= 5  # it normally changes every few minutes
    assert _changes_in(eight_weeks, f.target, f.end, f.end + 3600)


def test_spike_is_one_absurd_value(eight_weeks: Run) -> None:
    f = _fault(eight_weeks, "spike")
    values = [float(c.state) for c in _changes_in(eight_weeks, f.target, f.start, f.end)]
    assert values[0] == f.detail["value"]
    assert abs(values[0]) >= 40
    assert len(values) >= 2 and abs(values[1]) < 30  # next reading is normal again


def test_drift_grows_about_half_a_degree_a_day(eight_weeks: Run) -> None:
    f = _fault(eight_weeks, "drift")
    zone = f.target.removeprefix("sensor.").removesuffix("_temperature")
    a = eight_weeks.arrays
    readings = _changes_in(eight_weeks, f.target, f.start, f.end)
    step = np.searchsorted(a["t"], [c.ts for c in readings], side="right") - 1
    offset = np.array([float(c.state) for c in readings]) - a[f"temperature.{zone}"][step]
    days = (np.array([c.ts for c in readings]) - f.start) / DAY
    rate = np.polyfit(days, offset, 1)[0]
    assert abs(rate - f.detail["c_per_day"]) < 0.05
    assert abs(f.detail["c_per_day"]) == 0.5
    assert 3 * DAY <= f.end - f.start <= 5 * DAY


def test_dropout_reports_unavailable_for_hours(eight_weeks: Run) -> None:
    f = _fault(eight_weeks, "dropout")
    assert f.detail["mode"] == "unavailable"
    changes = _changes_in(eight_weeks, f.target, f.start, f.end + 120)
    assert changes[0].state == "unavailable" and changes[0].ts < f.start + 120
    assert [c.state for c in changes[1:]] != [] and changes[-1].state != "unavailable"
    assert all(c.state != "unavailable" for c in changes[1:])
    assert changes[1].ts >= f.end
    assert 2 * 3600 <= f.end - f.start <= 8 * 3600


def test_heating_failure_leaves_the_zone_cold_while_calling_for_heat(eight_weeks: Run) -> None:
    f = _fault(eight_weeks, "heating_failure")
    a = eight_weeks.arrays
    inside = (a["t"] >= f.start) & (a["t"] < f.end)
    assert a[f"heater_on.{f.target}"][inside].max() == 0
    assert a[f"heat_demand.{f.target}"][inside].mean() > 0.5
    temp = a[f"temperature.{f.target}"][inside]
    assert temp[-1] < temp[0] - 1.0
    heating = _changes_in(eight_weeks, f"climate.{f.target}", f.start, f.end)
    assert any(c.attributes["hvac_action"] == "heating" for c in heating)
    power = _changes_in(eight_weeks, f"sensor.{f.target}_heater_power", f.start + 120, f.end)
    assert all(c.state == "0" for c in power)


def test_intrusion_at_night_while_everyone_is_away(eight_weeks: Run) -> None:
    f = _fault(eight_weeks, "intrusion")
    a = eight_weeks.arrays
    hour, _ = eight_weeks.local()
    inside = (a["t"] >= f.start) & (a["t"] < f.end)
    assert a["residents_home"][inside].max() == 0
    assert a["home_occupied"][inside].mean() > 0.9
    assert np.all((hour[inside] > 0.9) & (hour[inside] < 4.6))
    door = _changes_in(eight_weeks, "binary_sensor.front_door", f.start, f.end + 60)
    assert [c.state for c in door[:2]] == ["on", "off"] and door[0].ts == f.start
    motion = [
        c for c in eight_weeks.events if c.entity_id.endswith("_motion") and f.start <= c.ts < f.end
    ]
    assert {c.entity_id for c in motion} >= {
        "binary_sensor.hall_motion",
        "binary_sensor.living_room_motion",
    }
    lights = [
        c
        for c in eight_weeks.events
        if c.entity_id.startswith("light.") and f.start <= c.ts < f.end
    ]
    assert lights == []  # flashlights only
