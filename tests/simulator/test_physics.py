"""Heat balance and thermostats: decay with the zone's time constant, heating, comfort."""

import numpy as np
import pytest

from simulator import VirtualHome, WeatherSpec, default_home
from simulator.thermal import ThermalModel

from .conftest import DAY, START, Run, mask_of, on_intervals, run

CALM = WeatherSpec(daily_amplitude_c=0.0, swing_sd_c=0.0, peak_irradiance=0.0)  # 5 °C, no sun


def _empty_home(couplings: bool) -> VirtualHome:
    spec = default_home()
    spec.occupants, spec.visitors, spec.faults, spec.weather = [], False, False, CALM
    if not couplings:
        spec.couplings = []
    return VirtualHome(spec, 1, START)


def test_time_constants_are_20_to_60_hours() -> None:
    tau = ThermalModel(default_home()).time_constants_h()
    assert tau.min() >= 20 and tau.max() <= 60


@pytest.mark.parametrize("couplings", [False, True])
def test_unheated_zones_decay_toward_outdoor_with_their_time_constant(couplings: bool) -> None:
    home = _empty_home(couplings)
    for zone in home.zones:
        home.set_hvac_mode(zone, "off")
    home.advance(START + 4 * DAY)
    a = home.truth.arrays()
    outdoor = a["outdoor_temperature"]
    assert np.ptp(outdoor) < 1e-9
    hours = (a["t"] - START) / 3600
    late = hours > 12  # after the fast air-to-mass transient
    tau = ThermalModel(home.spec).time_constants_h()
    for z, zone in enumerate(home.zones):
        excess = a[f"temperature.{zone}"] - outdoor
        assert np.all(np.diff(excess) < 1e-9)  # only ever cools
        assert excess[-1] > 0  # towards, never below, outdoor
        fitted = -1 / np.polyfit(hours[late], np.log(excess[late]), 1)[0]
        if couplings:  # neighbours pull each zone towards the house's common rate
            assert 0.9 * tau.min() < fitted < 1.1 * tau.max(), zone
        else:
            assert abs(fitted - tau[z]) < 0.05 * tau[z], zone
        assert a[f"heater_on.{zone}"].max() == 0


def test_heating_raises_the_temperature_to_the_setpoint() -> None:
    home = _empty_home(couplings=True)
    for zone in home.zones:
        home.set_hvac_mode(zone, "off")
    home.advance(START + DAY)
    cold = {z: home.truth.arrays()[f"temperature.{z}"][-1] for z in home.zones}
    for zone in home.zones:
        home.set_heating_setpoint(zone, 21.0)
    home.advance(START + DAY + 3 * 3600)
    a = home.truth.arrays()
    for zone in home.zones:
        assert a[f"temperature.{zone}"][-1] > cold[zone] + 2.0, zone
    home.advance(START + 2 * DAY)
    last_hours = home.truth.arrays()
    for zone in home.zones:
        recent = last_hours[f"temperature.{zone}"][-360:]
        assert np.all(np.abs(recent - 21.0) < 0.4), zone
        assert 0.05 < last_hours[f"heater_on.{zone}"][-360:].mean() < 0.95  # it cycles


def test_manual_setpoints_hold_comfort_while_occupied() -> None:
    result = run(1)  # warm up with the schedule, then hold 20.5 °C everywhere
    home = result.home
    for zone in home.zones:
        home.set_heating_setpoint(zone, 20.5)
    events = home.advance(START + 15 * DAY)
    a = home.truth.arrays()
    after = a["t"] >= START + DAY + 3600
    window = on_intervals(
        [e for e in events if e.entity_id == "binary_sensor.bedroom_window"], "on", a["t"][-1]
    )
    airing = mask_of(a["t"], [(s, e + 2 * 3600) for s, e in window])  # and recovering after
    for zone in home.zones:
        occupied = after & (a[f"occupied.{zone}"] == 1) & ~(airing & (zone == "bedroom"))
        deviation = a[f"temperature.{zone}"][occupied] - 20.5
        assert occupied.sum() > 500
        assert np.mean(np.abs(deviation) <= 0.5) > 0.97, zone
        assert abs(np.mean(deviation)) < 0.3, zone


def test_default_schedule_is_comfort_by_day_and_eco_at_night(eight_weeks: Run) -> None:
    hour, _ = eight_weeks.local()
    a = eight_weeks.arrays
    day = (hour > 6.05) & (hour < 22.45)
    assert np.all(a["setpoint.living_room"][day] == 20.0)
    assert np.all(a["setpoint.living_room"][(hour > 22.55) | (hour < 5.95)] == 17.0)
    evening = (hour > 9) & (hour < 22.5) & (a["occupied.living_room"] == 1)
    failing = np.zeros(len(hour), dtype=bool)
    for f in eight_weeks.truth.faults:
        if f.kind == "heating_failure":
            failing |= (a["t"] >= f.start) & (a["t"] < f.end + DAY)
    warm = a["temperature.living_room"][evening & ~failing]
    assert np.mean(warm >= 19.5) > 0.97


def test_open_bedroom_window_cools_the_bedroom_fast(eight_weeks: Run) -> None:
    a = eight_weeks.arrays
    openings = on_intervals(eight_weeks.of("binary_sensor.bedroom_window"), "on", a["t"][-1])
    assert len(openings) >= 5
    drops = []
    for s, e in openings:
        i, j = np.searchsorted(a["t"], [s, e])
        drops.append(a["temperature.bedroom"][i] - a["temperature.bedroom"][j])
    assert np.median(drops) > 1.0  # in 10-20 minutes


def test_heater_power_follows_the_heater(eight_weeks: Run) -> None:
    a = eight_weeks.arrays
    changes = eight_weeks.of("sensor.office_heater_power")
    assert {c.state for c in changes} == {"0", "1200"}
    heating = a["heater_on.office"].astype(bool)
    on_spans = on_intervals(changes, "1200", a["t"][-1])
    reported = mask_of(a["t"] + 10, on_spans)  # power sensors report within seconds
    assert np.mean(reported == heating) > 0.99
