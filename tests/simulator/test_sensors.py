"""Sensors as HA sees them: motion, doors, phones, numbers, lights, only real changes."""

from collections import defaultdict
import itertools

import numpy as np

from simulator import VirtualHome, default_home

from .conftest import START, Run, mask_of, on_intervals

ZONES = ("living_room", "kitchen", "bedroom", "office", "bathroom", "hall")


def _held(run: Run, entity_id: str) -> np.ndarray:
    """The entity's numeric state at each truth minute (NaN while unavailable)."""
    changes = run.of(entity_id)
    times = np.array([c.ts for c in changes])
    values = np.array(
        [float("nan") if c.state == "unavailable" else float(c.state) for c in changes]
    )
    return values[np.searchsorted(times, run.arrays["t"], side="right") - 1]


def test_only_real_changes_are_emitted(eight_weeks: Run) -> None:
    last: dict[str, tuple[str, dict[str, object]]] = {}
    for change in eight_weeks.initial + eight_weeks.events:
        assert last.get(change.entity_id) != (change.state, change.attributes), change
        last[change.entity_id] = (change.state, change.attributes)


def test_motion_is_on_while_rooms_are_used(eight_weeks: Run) -> None:
    a = eight_weeks.arrays
    hour, _ = eight_weeks.local()
    for zone in ("living_room", "kitchen", "office"):
        spans = on_intervals(eight_weeks.of(f"binary_sensor.{zone}_motion"), "on", a["t"][-1])
        motion = mask_of(a["t"] + 30, spans)
        occupied = a[f"occupied.{zone}"] == 1
        assert motion[occupied].mean() > 0.8, zone
        assert motion[~occupied].mean() < 0.03, zone
    # Sleepers hardly trigger the bedroom PIR.
    spans = on_intervals(eight_weeks.of("binary_sensor.bedroom_motion"), "on", a["t"][-1])
    night = (hour > 2) & (hour < 5) & (a["occupied.bedroom"] == 1)
    assert mask_of(a["t"] + 30, spans)[night].mean() < 0.15


def test_false_triggers_are_rare(eight_weeks: Run) -> None:
    a = eight_weeks.arrays
    spans = on_intervals(eight_weeks.of("binary_sensor.office_motion"), "on", a["t"][-1])
    empty_long = np.convolve(a["occupied.office"], np.ones(11), mode="same") == 0
    starts = np.searchsorted(a["t"], [s for s, _ in spans]) - 1
    false = np.count_nonzero(empty_long[np.clip(starts, 0, None)])
    assert 0.2 * 56 < false < 3 * 56  # about one a day


def test_front_door_opens_when_people_come_and_go(eight_weeks: Run) -> None:
    a = eight_weeks.arrays
    opened = np.array([c.ts for c in eight_weeks.of("binary_sensor.front_door") if c.state == "on"])
    spans = on_intervals(eight_weeks.of("binary_sensor.front_door"), "on", a["t"][-1])
    assert all(20 <= e - s <= 40 for s, e in spans)
    crossings = 0
    for name in ("alex", "sam"):
        home = a[f"location.{name}"] != -1
        for i in np.flatnonzero(home[1:] != home[:-1]) + 1:
            crossings += 1
            t = a["t"][i]
            assert np.any((opened > t - 120) & (opened <= t)), (name, t)
    assert crossings > 100
    assert len(opened) < crossings + 60  # guests and intruders too, joint leaving is one opening


def test_phone_trackers_lag_one_to_five_minutes(eight_weeks: Run) -> None:
    a = eight_weeks.arrays
    for name in ("alex", "sam"):
        home = a[f"location.{name}"] != -1
        moves = a["t"][np.flatnonzero(home[1:] != home[:-1]) + 1]
        changes = eight_weeks.of(f"device_tracker.phone_{name}")[1:]
        assert len(changes) == len(moves)
        lags = np.array([c.ts for c in changes]) - moves
        assert lags.min() > 0 and lags.max() < 360  # 1-5 min, measured against whole minutes
        assert np.median(lags) > 120
        states = [c.state for c in changes]
        assert all(s != t for s, t in itertools.pairwise(states))


def test_temperature_sensors_report_the_truth_with_noise(eight_weeks: Run) -> None:
    a = eight_weeks.arrays
    faulty = defaultdict(list)
    for f in eight_weeks.truth.faults:
        faulty[f.target].append((f.start - 600, f.end + 600))
    for zone in ZONES:
        eid = f"sensor.{zone}_temperature"
        readings = [c for c in eight_weeks.events if c.entity_id == eid]
        readings = [c for c in readings if not any(s <= c.ts < e for s, e in faulty[eid])]
        step = np.searchsorted(a["t"], [c.ts for c in readings], side="right") - 1
        error = np.array([float(c.state) for c in readings]) - a[f"temperature.{zone}"][step]
        assert len(readings) > 5000
        assert np.mean(np.abs(error) < 0.35) > 0.995, zone  # noise 0.1 plus 0.05 rounding
        assert 0.05 < np.std(error) < 0.2, zone
        assert all(c.state == f"{float(c.state):.1f}" for c in readings)


def test_attributes_are_home_assistant_like(eight_weeks: Run) -> None:
    by_id = {s.entity_id: s for s in eight_weeks.initial}
    temp = by_id["sensor.kitchen_temperature"].attributes
    assert temp["device_class"] == "temperature"
    assert temp["unit_of_measurement"] == "°C"
    assert temp["state_class"] == "measurement"
    assert by_id["sensor.office_co2"].attributes["unit_of_measurement"] == "ppm"
    assert by_id["sensor.house_power"].attributes["device_class"] == "power"
    assert by_id["binary_sensor.front_door"].attributes["device_class"] == "door"
    assert by_id["binary_sensor.bedroom_window"].attributes["device_class"] == "window"
    assert by_id["binary_sensor.hall_motion"].attributes["device_class"] == "motion"
    climate = by_id["climate.living_room"]
    assert climate.state == "heat"
    assert climate.attributes["hvac_modes"] == ["off", "heat"]
    assert (climate.attributes["min_temp"], climate.attributes["max_temp"]) == (7, 30)
    actions = {c.attributes["hvac_action"] for c in eight_weeks.of("climate.living_room")}
    assert actions == {"heating", "idle"}
    assert by_id["device_tracker.phone_alex"].state in ("home", "not_home")
    assert {c.state for c in eight_weeks.of("media_player.living_room_tv")} == {"off", "playing"}


def test_co2_rises_with_people(eight_weeks: Run) -> None:
    a = eight_weeks.arrays
    for zone in ("living_room", "office"):
        co2 = _held(eight_weeks, f"sensor.{zone}_co2")
        people = a[f"occupants.{zone}"]
        settled = np.convolve(people > 0, np.ones(60), mode="full")[: len(people)] == 60
        empty = np.convolve(people == 0, np.ones(240), mode="full")[: len(people)] == 240
        assert np.nanmean(co2[settled]) > np.nanmean(co2[empty]) + 300, zone
        assert np.nanmean(co2[empty]) < 550, zone


def test_lights_follow_people_in_the_dark(eight_weeks: Run) -> None:
    a = eight_weeks.arrays
    hour, _ = eight_weeks.local()
    dark = (hour > 18) & (hour < 22)
    for zone in ("living_room", "kitchen"):
        light = a[f"light.{zone}"] == 1
        occupied = a[f"occupied.{zone}"] == 1
        assert light[dark & occupied].mean() > 0.9, zone
        assert 0.0 < light[~occupied].mean() < 0.2, zone  # sometimes forgotten
        lux = _held(eight_weeks, f"sensor.{zone}_illuminance")
        assert np.nanmedian(lux[dark & light]) > 150
        assert np.nanmedian(lux[dark & ~light]) < 5


def test_tv_plays_only_with_someone_watching(eight_weeks: Run) -> None:
    a = eight_weeks.arrays
    spans = on_intervals(eight_weeks.of("media_player.living_room_tv"), "playing", a["t"][-1])
    playing = mask_of(a["t"] + 30, spans)
    assert playing.sum() > 20 * 60
    watched = np.convolve(a["occupied.living_room"], np.ones(12), mode="full")[: len(playing)] > 0
    assert watched[playing].mean() > 0.99


def test_switching_a_light_changes_illuminance_and_occupants_may_undo_it() -> None:
    home = VirtualHome(default_home(), 4, START)
    home.advance(START + 3600)  # 02:00 local: dark, everyone asleep
    home.set_light("light.office", True)
    events = home.advance(START + 3 * 3600)
    assert [e.state for e in events if e.entity_id == "light.office"] == ["on"]
    lux = [float(e.state) for e in events if e.entity_id == "sensor.office_illuminance"]
    assert lux and min(lux) > 300
    assert home.truth.arrays()["light.office"][-60:].min() == 1
