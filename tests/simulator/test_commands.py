"""Commands from Home Assistant: thermostats and lights."""

from datetime import datetime
import itertools

import numpy as np
import pytest

from simulator import VirtualHome, default_home

from .conftest import BERLIN, DAY, START, Run


def test_heating_off_and_back_on() -> None:
    home = VirtualHome(default_home(), 1, START, faults=False)
    home.advance(START + 6 * 3600)
    home.set_heating_setpoint("kitchen", None)
    assert home.setpoint("kitchen") is None
    events = home.advance(START + DAY)
    climate = [e for e in events if e.entity_id == "climate.kitchen"]
    assert climate[0].state == "off" and climate[0].attributes["hvac_action"] == "off"
    assert all(e.state == "off" for e in climate)
    a = home.truth.arrays()
    later = a["t"] >= START + 6 * 3600
    assert a["heater_on.kitchen"][later].max() == 0
    assert np.isnan(a["setpoint.kitchen"][later]).all()
    home.set_hvac_mode("kitchen", "heat")
    home.advance(START + 2 * DAY)
    assert home.truth.arrays()["heater_on.kitchen"][-1440:].max() == 1


def test_manual_setpoint_until_the_schedule_resumes() -> None:
    home = VirtualHome(default_home(), 1, START, faults=False)
    home.set_heating_setpoint("bedroom", 35.0)  # clamped like HA's max_temp
    assert home.setpoint("bedroom") == 30.0
    home.advance(START + DAY)
    assert np.all(home.truth.arrays()["setpoint.bedroom"] == 30.0)
    home.resume_schedule("bedroom")
    home.advance(START + 2 * DAY)
    assert set(home.truth.arrays()["setpoint.bedroom"][-1440:]) == {17.0, 20.0}


def test_bad_commands_are_refused() -> None:
    home = VirtualHome(default_home(), 1, START)
    with pytest.raises(ValueError, match="hvac mode"):
        home.set_hvac_mode("office", "cool")
    with pytest.raises(ValueError, match="unknown light"):
        home.set_light("light.garage", True)
    with pytest.raises(KeyError):
        home.set_heating_setpoint("garage", 20.0)
    assert home.advance(home.now) == []


def test_faults_can_be_switched_off_per_home(eight_weeks: Run) -> None:
    home = VirtualHome(default_home(), 1, START, faults=False)
    events = home.advance(START + 30 * DAY)
    assert any(f.start < START + 30 * DAY for f in eight_weeks.truth.faults)  # same seed
    assert home.truth.faults == []
    # Faults draw from their own random streams: the first two weeks are identical.
    learning = START + 14 * DAY
    assert [e for e in events if e.ts < learning] == [
        e for e in eight_weeks.events if e.ts < learning
    ]


def test_a_dst_switch_keeps_routines_on_local_time() -> None:
    start = datetime.fromisoformat("2026-03-26T00:00:00+00:00").timestamp()  # DST on the 29th
    home = VirtualHome(default_home(), 3, start)
    one = home.advance(start + 6 * DAY)
    pieces = VirtualHome(default_home(), 3, start)
    chunks = [e for k in range(1, 6 * 24 + 1) for e in pieces.advance(start + k * 3600 - 0.5)]
    chunks += pieces.advance(start + 6 * DAY)
    assert chunks == one
    climate = [e for e in one if e.entity_id == "climate.living_room"]
    raised = [
        datetime.fromtimestamp(e.ts, BERLIN).strftime("%H:%M")
        for before, e in itertools.pairwise(climate)
        if e.attributes["temperature"] > before.attributes["temperature"]
    ]
    assert raised == ["06:00"] * 6  # before and after the clocks change
    assert len(home.truth.arrays()["t"]) == 6 * 1440


def test_states_are_the_latest_changes() -> None:
    home = VirtualHome(default_home(), 1, START)
    initial = home.initial_states()
    events = home.advance(START + DAY)
    assert home.states() == {e.entity_id: e for e in initial + events}
