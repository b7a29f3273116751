"""The live/bulk ring buffer of slot means."""

import math

from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

from custom_components.iot_ml.engine.buffer import ChannelBuffer
from custom_components.iot_ml.engine.resample import resample_step


def _live(times, values, capacity, until):
    buffer = ChannelBuffer(capacity)
    for t, v in zip(times, values, strict=True):
        buffer.observe(float(t), float(v))
    buffer.advance(until)
    return buffer


@settings(max_examples=120, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 6000, allow_nan=False),
            st.one_of(st.floats(-20, 40, allow_nan=False), st.just(math.nan)),
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(5, 40),
)
def test_live_equals_bulk(points, capacity) -> None:
    """Observing one value at a time gives the same slots as loading the history at once."""
    points.sort(key=lambda p: p[0])
    times = np.array([p[0] for p in points])
    values = np.array([p[1] for p in points])
    until = 6600.0
    live = _live(times, values, capacity, until)
    bulk = ChannelBuffer(capacity)
    bulk.load(times, values, until)
    assert live.end_slot == bulk.end_slot
    np.testing.assert_allclose(
        live.window(live.end_slot, capacity), bulk.window(bulk.end_slot, capacity), atol=1e-4
    )
    # And both equal the vectorised resampler over what the ring still holds.
    end = live.end_slot
    start = max(end - capacity, int(times[0] // 300))
    expected = np.full(capacity, np.nan)
    expected[capacity - (end - start) :] = resample_step(times, values, start, end)
    np.testing.assert_allclose(live.window(end, capacity), expected, atol=1e-4)


def test_ring_wraps_and_keeps_newest() -> None:
    """With 4 slots only the 4 newest survive, in order."""
    buffer = ChannelBuffer(4)
    for slot in range(10):
        buffer.observe(slot * 300.0, float(slot))
    buffer.advance(10 * 300.0)
    np.testing.assert_allclose(buffer.window(10, 4), [6, 7, 8, 9])
    np.testing.assert_allclose(buffer.window(10, 6), [np.nan, np.nan, 6, 7, 8, 9])


def test_jump_longer_than_capacity() -> None:
    """A held value over a gap longer than the ring fills it entirely, once."""
    buffer = ChannelBuffer(5)
    buffer.observe(0.0, 1.0)
    buffer.advance(300.0 * 100 + 10)
    assert buffer.end_slot == 100
    np.testing.assert_allclose(buffer.window(100, 5), [1.0] * 5)


def test_bulk_load_longer_than_capacity() -> None:
    """Loading more history than fits keeps the newest slots."""
    times = np.arange(0, 3000, 300.0)
    buffer = ChannelBuffer(3)
    buffer.load(times, times / 300, 3000.0)
    np.testing.assert_allclose(buffer.window(10, 3), [7, 8, 9])


def test_clock_going_back_is_counted_not_recounted() -> None:
    """An observation from the past changes the held value without re-counting time."""
    buffer = ChannelBuffer(10)
    buffer.observe(0.0, 10.0)
    buffer.observe(200.0, 20.0)
    buffer.observe(100.0, 30.0)  # clock jumped back
    assert buffer.clock_jumps == 1
    assert buffer.held == 30.0
    buffer.advance(300.0)
    # 0-200 s at 10, 200-300 s at 30: the 100-200 s stretch is not counted twice.
    np.testing.assert_allclose(buffer.window(1, 1), [(10 * 200 + 30 * 100) / 300])


def test_window_before_any_data() -> None:
    """An empty buffer answers NaN."""
    buffer = ChannelBuffer(3)
    assert np.isnan(buffer.window(5, 3)).all()
    assert buffer.integrated_until is None
    buffer.advance(1000.0)  # nothing to integrate
    assert buffer.end_slot is None


def test_restore_same_and_other_capacity() -> None:
    """Saved values come back; into a smaller ring the newest slots are kept."""
    source = _live(np.arange(0, 3000, 300.0), np.arange(10.0), 8, 3000.0)
    same = ChannelBuffer(8)
    same.restore(source.values, source.end_slot, source.held, source.integrated_until)
    np.testing.assert_allclose(same.window(10, 8), source.window(10, 8))
    smaller = ChannelBuffer(4)
    smaller.restore(source.values, source.end_slot, source.held, source.integrated_until)
    np.testing.assert_allclose(smaller.window(10, 4), [6, 7, 8, 9])
    larger = ChannelBuffer(12)
    larger.restore(source.values, source.end_slot, source.held, source.integrated_until)
    np.testing.assert_allclose(larger.window(10, 8), source.window(10, 8))
    # Live data continues after a restore.
    same.observe(3100.0, 50.0)
    same.advance(3300.0)
    assert same.end_slot == 11
    assert same.window(11, 1)[0] == pytest.approx((9 * 100 + 50 * 200) / 300)
