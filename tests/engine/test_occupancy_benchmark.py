"""The occupancy benchmark's own pieces: the wasp-in-a-box baseline and the dataset replay."""

import numpy as np

from benchmarks.occupancy import Sensor, state_changes, truth_at_slot_starts
from benchmarks.wasp import WaspInBox, wasp_at_slot_starts


def test_wasp_in_a_box() -> None:
    """Presence is kept after the door closes with interior activity, dropped without it."""
    rule = WaspInBox()
    assert not rule.present(0)
    rule.activity(10)
    assert rule.present(20)
    rule.door(100, is_open=True)
    assert rule.present(110)
    rule.door(120, is_open=False)
    assert rule.present(130)  # grace
    rule.activity(200)  # someone is inside
    assert rule.present(10_000)
    rule.door(20_000, is_open=True)
    rule.door(20_010, is_open=False)
    assert rule.present(20_100)
    assert not rule.present(20_010 + 601)  # no activity since the close: away
    rule.activity(30_000)
    assert rule.present(30_001)
    out = wasp_at_slot_starts(
        np.array([1000.0]), np.array([1010.0]), np.array([50.0, 3000.0]), 0, 12
    )
    # At the start of each slot, from the events before it.
    assert out[0] == 0 and out[1] == 1 and out[4] == 1  # nothing yet, activity, within the grace
    assert out[6] == 0 and out[10] == 0 and out[11] == 1  # away, back on activity at 3000 s


def test_state_changes_as_home_assistant_delivers_them() -> None:
    """The install sees every sensor's state; then only real changes, in time order."""
    sensors = [
        Sensor(100.0, 500.0, "binary_sensor.bed", "occupancy"),
        Sensor(200.0, 300.0, "binary_sensor.bed", "occupancy"),  # inside the first: no change
        Sensor(500.0, 600.0, "binary_sensor.bed", "occupancy"),  # back to back: off, then on
        Sensor(400.0, 410.0, "binary_sensor.front_door", "door"),
    ]
    changes = state_changes(sensors, 100.0)
    got = [(c.ts, c.entity_id.split(".")[1], c.state) for c in changes]
    assert got == [
        (100.0, "bed", "on"),
        (100.0, "front_door", "off"),
        (400.0, "front_door", "on"),
        (410.0, "front_door", "off"),
        (500.0, "bed", "off"),
        (500.0, "bed", "on"),
        (600.0, "bed", "off"),
    ]
    assert changes[0].attributes == {"device_class": "occupancy"}
    truth = truth_at_slot_starts([(300.0, 900.0)], 0, 4)
    np.testing.assert_array_equal(truth, [1, 0, 0, 1])
