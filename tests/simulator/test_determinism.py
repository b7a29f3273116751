"""Same seed, same home: identical events however time is advanced."""

import numpy as np

from simulator import VirtualHome, default_home, simulate

from .conftest import DAY, START


def test_same_seed_same_events_other_seed_other_events() -> None:
    a, truth_a = simulate(default_home(), 5, START, 3)
    b, truth_b = simulate(default_home(), 5, START, 3)
    c, _ = simulate(default_home(), 6, START, 3)
    assert a == b
    assert a != c
    arrays_a, arrays_b = truth_a.arrays(), truth_b.arrays()
    assert all(np.array_equal(arrays_a[k], arrays_b[k], equal_nan=True) for k in arrays_a)


def test_chunked_advance_matches_one_call() -> None:
    end = START + 2 * DAY
    whole = VirtualHome(default_home(), 2, START)
    one = whole.advance(end)
    pieces = VirtualHome(default_home(), 2, START)
    rng = np.random.default_rng(7)
    chunks, t = [], START
    while t < end:  # uneven pieces, off the minute grid, some empty
        t = min(end, t + float(rng.choice([0.0, 0.5, 59.9, 60.0, 61.3, 900.0, 3600.0, 7777.7])))
        chunks += pieces.advance(t)
    assert len(one) > 5000
    assert chunks == one
    a, b = whole.truth.arrays(), pieces.truth.arrays()
    assert all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)
    assert pieces.now == end


def test_initial_states_cover_every_entity_once() -> None:
    home = VirtualHome(default_home(), 1, START)
    initial = home.initial_states()
    ids = [s.entity_id for s in initial]
    assert sorted(ids) == sorted(home.entity_ids)
    assert len(set(ids)) == len(ids)
    assert all(s.ts == START for s in initial)


def test_events_are_ordered_and_after_the_start() -> None:
    events, truth = simulate(default_home(), 3, START + 17.25, 1)  # start off the minute grid
    times = [e.ts for e in events]
    assert times == sorted(times)
    assert times[0] == START + 17.25
    assert times[-1] < START + 17.25 + DAY
    t = truth.arrays()["t"]
    assert len(t) == 1440
    assert np.allclose(np.diff(t), 60.0)


def test_advance_to_now_returns_changes_of_commands_only() -> None:
    home = VirtualHome(default_home(), 1, START)
    home.advance(START + 3600)
    home.set_light("light.kitchen", True)
    home.set_heating_setpoint("office", 22.5)
    flushed = home.advance(home.now)
    assert [(e.entity_id, e.state) for e in flushed] == [
        ("light.kitchen", "on"),
        ("climate.office", "heat"),
    ]
    assert flushed[1].attributes["temperature"] == 22.5
    assert all(e.ts == START + 3600 for e in flushed)
    assert home.advance(home.now) == []
