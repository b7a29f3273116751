"""Resampling step functions onto 5-minute slots."""

import math

from hypothesis import given, settings, strategies as st
import numpy as np

from custom_components.iot_ml.engine.grid import SLOT_SECONDS, slot_of, slot_start
from custom_components.iot_ml.engine.resample import resample_step


def reference(times, values, start_slot, end_slot):
    """Slow, obvious version: integrate each slot second-exactly with Python loops."""
    out = []
    for slot in range(start_slot, end_slot):
        lo, hi = slot * SLOT_SECONDS, (slot + 1) * SLOT_SECONDS
        area = covered = 0.0
        for i, (t, v) in enumerate(zip(times, values, strict=True)):
            t_next = times[i + 1] if i + 1 < len(times) else hi
            a, b = max(t, lo), min(max(t_next, t), hi)
            if b > a and not math.isnan(v):
                area += v * (b - a)
                covered += b - a
        out.append(area / covered if covered > 1e-9 else math.nan)
    return np.array(out)


def test_hand_computed_slots() -> None:
    """Half a slot at 1 and half at 0 is 0.5; a gap slot is NaN; the last value holds."""
    t = np.array([0.0, 150.0, 300.0, 900.0])
    v = np.array([1.0, 0.0, np.nan, 2.0])
    np.testing.assert_allclose(resample_step(t, v, 0, 5), [0.5, np.nan, np.nan, 2.0, 2.0])


def test_window_before_data_and_empty_input() -> None:
    """Slots before the first value are NaN; no data at all is all NaN; no slots is empty."""
    t = np.array([600.0])
    v = np.array([3.0])
    np.testing.assert_allclose(resample_step(t, v, 0, 3), [np.nan, np.nan, 3.0])
    assert np.isnan(resample_step(np.array([]), np.array([]), 0, 4)).all()
    assert resample_step(t, v, 5, 5).size == 0


def test_values_before_window_carry_in() -> None:
    """A value set before the window holds into it."""
    t = np.array([-1000.0, 100.0])
    v = np.array([4.0, 6.0])
    np.testing.assert_allclose(resample_step(t, v, 0, 2), [(4 * 100 + 6 * 200) / 300, 6.0])


def test_grid_helpers() -> None:
    """Slot index and start agree, also for negative times."""
    assert slot_of(299.9) == 0
    assert slot_of(300.0) == 1
    assert slot_of(-0.1) == -1
    assert slot_start(slot_of(1234.5)) == 1200.0


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 3000, allow_nan=False),
            st.one_of(st.floats(-50, 50, allow_nan=False), st.just(math.nan)),
        ),
        min_size=1,
        max_size=25,
    ),
    st.integers(-2, 3),
    st.integers(1, 12),
)
def test_matches_reference(points, start_slot, n_slots) -> None:
    """The vectorised version equals the slow reference on random step functions."""
    points.sort(key=lambda p: p[0])
    times = np.array([p[0] for p in points])
    values = np.array([p[1] for p in points])
    got = resample_step(times, values, start_slot, start_slot + n_slots)
    want = reference(list(times), list(values), start_slot, start_slot + n_slots)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
