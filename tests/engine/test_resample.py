"""Resampling step functions onto 5-minute slots."""

import math

from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

from custom_components.iot_ml.engine.core.grid import (
    SLOT_SECONDS,
    SLOTS_PER_DAY,
    SLOTS_PER_HOUR,
    slot_of,
    slot_start,
)
from custom_components.iot_ml.engine.core.resample import resample_step

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # numpy must not warn

T0 = 1_793_577_600.0  # 2026-11-02 00:00 UTC, on the slot grid


def reference(times, values, start_slot, end_slot):
    """Slow, obvious version: integrate the step function over each slot with Python loops."""
    out = []
    for slot in range(start_slot, end_slot):
        lo, hi = slot * SLOT_SECONDS, (slot + 1) * SLOT_SECONDS
        area = covered = 0.0
        for i, (t, v) in enumerate(zip(times, values, strict=True)):
            t_next = times[i + 1] if i + 1 < len(times) else math.inf  # the last value holds on
            a, b = max(t, lo), min(t_next, hi)
            if b > a and not math.isnan(v):
                area += v * (b - a)
                covered += b - a
        out.append(area / covered if covered > 0 else math.nan)
    return np.array(out)


def test_grid_constants_and_helpers() -> None:
    """5-minute slots; index and start agree, also for negative times."""
    assert (SLOT_SECONDS, SLOTS_PER_HOUR, SLOTS_PER_DAY) == (300, 12, 288)
    assert slot_of(299.9) == 0
    assert slot_of(300.0) == 1
    assert slot_of(-0.1) == -1
    assert slot_start(slot_of(1234.5)) == 1200.0
    assert slot_of(T0) == 5_978_592


def test_hand_computed_slots() -> None:
    """Half a slot at 1 and half at 0 is 0.5; a slot inside a gap is NaN; the last value holds."""
    t = np.array([0.0, 150.0, 300.0, 900.0])
    v = np.array([1.0, 0.0, np.nan, 2.0])
    np.testing.assert_array_equal(resample_step(t, v, 0, 5), [0.5, np.nan, np.nan, 2.0, 2.0])


def test_gap_inside_a_slot_is_left_out_of_the_mean() -> None:
    """A gap only shortens the covered time: 100 s at 10 and 100 s at 40 average to 25."""
    t = T0 + np.array([0.0, 100.0, 200.0])
    v = np.array([10.0, np.nan, 40.0])
    start = slot_of(T0)
    np.testing.assert_allclose(resample_step(t, v, start, start + 2), [25.0, 40.0], rtol=1e-12)


def test_values_before_the_window_carry_in() -> None:
    """Only the newest value set before the window holds into it; earlier ones are ignored."""
    t = np.array([-5000.0, -1000.0, 100.0])
    v = np.array([99.0, 4.0, 6.0])
    np.testing.assert_allclose(resample_step(t, v, 0, 2), [(4 * 100 + 6 * 200) / 300, 6.0])


def test_values_after_the_window_are_ignored() -> None:
    """A change after the last slot does not leak into it."""
    t = np.array([0.0, 250.0, 600.0, 900.0])
    v = np.array([3.0, 9.0, 100.0, 200.0])
    np.testing.assert_allclose(resample_step(t, v, 0, 2), [(3 * 250 + 9 * 50) / 300, 9.0])


def test_simultaneous_values_take_the_last() -> None:
    """Two values at the same time: the later one holds."""
    t = np.array([0.0, 120.0, 120.0])
    v = np.array([1.0, 50.0, 7.0])
    np.testing.assert_allclose(resample_step(t, v, 0, 1), [(1 * 120 + 7 * 180) / 300])


def test_slots_without_coverage_and_empty_input() -> None:
    """Slots before the first value are NaN; no data at all is all NaN; no slots is empty."""
    t = np.array([600.0])
    v = np.array([3.0])
    np.testing.assert_array_equal(resample_step(t, v, 0, 3), [np.nan, np.nan, 3.0])
    empty = resample_step(np.array([]), np.array([]), 0, 4)
    assert empty.shape == (4,)
    assert np.isnan(empty).all()
    assert resample_step(t, v, 5, 5).shape == (0,)
    assert resample_step(t, v, 5, 2).shape == (0,)
    all_gap = resample_step(np.array([0.0]), np.array([np.nan]), 0, 2)
    assert np.isnan(all_gap).all()


def test_binary_channel_is_fraction_of_time_on() -> None:
    """0/1 values average to the share of the slot spent on."""
    t = np.array([0.0, 60.0, 120.0, 240.0])
    v = np.array([0.0, 1.0, 0.0, 1.0])
    assert resample_step(t, v, 0, 1)[0] == pytest.approx((60 + 60) / 300)


def test_reference_itself_on_a_known_case() -> None:
    """The slow oracle agrees with a hand computation, so the comparison below means something."""
    got = reference([0.0, 150.0, 300.0, 900.0], [1.0, 0.0, math.nan, 2.0], 0, 5)
    np.testing.assert_array_equal(got, [0.5, np.nan, np.nan, 2.0, 2.0])


_TIMES = st.integers(-600_000, 3_600_000).map(lambda ms: ms / 1000)  # -600 s .. 3600 s, in ms
_VALUES = st.one_of(st.floats(-50, 50, allow_nan=False), st.just(math.nan))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_TIMES, _VALUES), min_size=1, max_size=25),
    st.integers(-3, 12),
    st.integers(1, 14),
    st.sampled_from([0.0, T0]),
)
def test_matches_reference(points, start_slot, n_slots, offset) -> None:
    """The vectorised version equals the slow reference on random step functions with gaps."""
    points.sort(key=lambda p: p[0])
    times = np.array([p[0] for p in points]) + offset
    values = np.array([p[1] for p in points])
    first = start_slot + slot_of(offset)
    got = resample_step(times, values, first, first + n_slots)
    want = reference(list(times), list(values), first, first + n_slots)
    assert got.shape == (n_slots,)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
