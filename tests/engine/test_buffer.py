"""The live/bulk ring buffer of slot means."""

import math

from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

from custom_components.iot_ml.engine.core.buffer import ChannelBuffer
from custom_components.iot_ml.engine.core.resample import resample_step

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # numpy must not warn


def _live(times, values, capacity, until):
    buffer = ChannelBuffer(capacity)
    for t, v in zip(times, values, strict=True):
        buffer.observe(float(t), float(v))
    buffer.advance(until)
    return buffer


def _same(a: ChannelBuffer, b: ChannelBuffer, length: int) -> None:
    assert a.end_slot == b.end_slot
    assert a.integrated_until == b.integrated_until
    assert a.held == b.held or (math.isnan(a.held) and math.isnan(b.held))
    np.testing.assert_allclose(
        a.window(a.end_slot, length), b.window(b.end_slot, length), atol=1e-4
    )


_TIMES = st.integers(0, 6_000_000).map(lambda ms: ms / 1000)  # 0 .. 6000 s, in ms
_VALUES = st.one_of(st.floats(-20, 40, allow_nan=False), st.just(math.nan))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(_TIMES, _VALUES), min_size=1, max_size=40),
    st.integers(5, 40),
    st.integers(0, 1_200_000).map(lambda ms: ms / 1000),
    st.tuples(st.integers(1, 1000), _VALUES),
)
def test_live_equals_bulk(points, capacity, after_last, extra) -> None:
    """Observing one value at a time gives the same slots as loading the history at once.

    ``until`` may fall inside a slot, so ``load`` also replays what lies after the last whole
    slot; both buffers then carry on identically with one more live observation.
    """
    points.sort(key=lambda p: p[0])
    times = np.array([p[0] for p in points])
    values = np.array([p[1] for p in points])
    until = float(times[-1]) + after_last
    live = _live(times, values, capacity, until)
    bulk = ChannelBuffer(capacity)
    bulk.load(times, values, until)
    assert live.end_slot == int(until // 300)
    _same(live, bulk, capacity)
    # Both equal the vectorised resampler over what the ring still holds.
    end = live.end_slot
    start = min(max(end - capacity, int(times[0] // 300)), end)
    expected = np.full(capacity, np.nan)
    expected[capacity - (end - start) :] = resample_step(times, values, start, end)
    np.testing.assert_allclose(live.window(end, capacity), expected, atol=1e-4)
    # The open slot carries on the same way in both.
    for buffer in (live, bulk):
        buffer.observe(until + extra[0], extra[1])
        buffer.advance(until + extra[0] + 600)
    _same(live, bulk, capacity)


def test_live_slot_means_by_hand() -> None:
    """Slot 0: 10 for 100 s then 40 for 200 s; slot 1: 40 then a gap; slot 2: gap only."""
    buffer = ChannelBuffer(6)
    buffer.observe(0.0, 10.0)
    buffer.observe(100.0, 40.0)
    buffer.observe(450.0, math.nan)
    assert math.isnan(buffer.held)
    buffer.advance(910.0)
    assert buffer.end_slot == 3
    assert buffer.integrated_until == 910.0
    np.testing.assert_allclose(buffer.window(3, 4), [np.nan, 30.0, 40.0, np.nan])
    buffer.advance(905.0)  # not forward: nothing happens
    assert buffer.integrated_until == 910.0


def test_ring_wraps_and_keeps_newest() -> None:
    """With 4 slots only the 4 newest survive, in order."""
    buffer = ChannelBuffer(4)
    for slot in range(10):
        buffer.observe(slot * 300.0, float(slot))
    buffer.advance(10 * 300.0)
    np.testing.assert_array_equal(buffer.window(10, 4), [6, 7, 8, 9])
    np.testing.assert_array_equal(buffer.window(10, 6), [np.nan, np.nan, 6, 7, 8, 9])
    # The ring position is the absolute slot modulo the capacity.
    np.testing.assert_array_equal(buffer.values, [8, 9, 6, 7])


def test_jump_longer_than_capacity() -> None:
    """A held value over a gap longer than the ring fills it entirely, once."""
    buffer = ChannelBuffer(5)
    buffer.observe(0.0, 1.0)
    buffer.observe(200.0, 3.0)
    buffer.advance(300.0 * 100 + 10)
    assert buffer.end_slot == 100
    np.testing.assert_array_equal(buffer.window(100, 5), [3.0] * 5)
    np.testing.assert_array_equal(buffer.window(100, 7), [np.nan, np.nan] + [3.0] * 5)


def test_jump_within_capacity_writes_every_slot() -> None:
    """Slots passed under one held value all get it, the first one mixed."""
    buffer = ChannelBuffer(8)
    buffer.observe(150.0, 2.0)
    buffer.observe(250.0, 5.0)
    buffer.advance(1500.0)
    np.testing.assert_allclose(buffer.window(5, 6), [np.nan, (2 * 100 + 5 * 50) / 150, 5, 5, 5, 5])


def test_clock_going_back_is_counted_not_recounted() -> None:
    """An observation from the past changes the held value without re-counting time."""
    buffer = ChannelBuffer(10)
    buffer.observe(0.0, 10.0)
    buffer.observe(200.0, 20.0)
    buffer.observe(100.0, 30.0)  # clock jumped back
    assert buffer.clock_jumps == 1
    assert buffer.held == 30.0
    assert buffer.integrated_until == 200.0
    buffer.observe(250.0, 40.0)  # forward again from 200 s
    assert buffer.clock_jumps == 1
    buffer.advance(300.0)
    # 0-200 s at 10, 200-250 s at 30, 250-300 s at 40: 100-200 s is not counted twice.
    np.testing.assert_allclose(buffer.window(1, 1), [(10 * 200 + 30 * 50 + 40 * 50) / 300])


def test_window_before_any_data_and_partly_outside() -> None:
    """An empty buffer answers NaN; a window reaching past either end is NaN there."""
    buffer = ChannelBuffer(3)
    assert np.isnan(buffer.window(5, 3)).all()
    assert buffer.integrated_until is None
    assert buffer.end_slot is None
    buffer.advance(1000.0)  # nothing to integrate
    assert buffer.end_slot is None
    for slot in range(4):
        buffer.observe(slot * 300.0, 10.0 + slot)
    buffer.advance(1200.0)
    assert buffer.end_slot == 4
    np.testing.assert_array_equal(buffer.window(6, 5), [11, 12, 13, np.nan, np.nan])
    np.testing.assert_array_equal(buffer.window(3, 4), [np.nan, np.nan, 11, 12])
    assert np.isnan(buffer.window(40, 5)).all()  # entirely after the data
    assert np.isnan(buffer.window(1, 2)).all()  # entirely before what the ring keeps


def test_restore_same_and_other_capacity() -> None:
    """Saved values come back; into a smaller ring the newest slots are kept."""
    source = _live(np.arange(0, 3000, 300.0), np.arange(10.0), 8, 3000.0)
    saved = (source.values.copy(), source.end_slot, source.held, source.integrated_until)
    np.testing.assert_array_equal(source.window(10, 8), [2, 3, 4, 5, 6, 7, 8, 9])
    same = ChannelBuffer(8)
    same.restore(*saved)
    np.testing.assert_array_equal(same.window(10, 8), [2, 3, 4, 5, 6, 7, 8, 9])
    same.values[0] = -1  # a copy, not the saved array
    assert saved[0][0] != -1
    smaller = ChannelBuffer(4)
    smaller.restore(*saved)
    np.testing.assert_array_equal(smaller.window(10, 4), [6, 7, 8, 9])
    larger = ChannelBuffer(12)
    larger.restore(*saved)
    np.testing.assert_array_equal(larger.window(10, 12), [np.nan] * 4 + list(range(2, 10)))
    # Live data continues after a restore.
    same.observe(3100.0, 50.0)
    same.advance(3300.0)
    assert same.end_slot == 11
    assert same.window(11, 1)[0] == pytest.approx((9 * 100 + 50 * 200) / 300)


def test_restore_mid_slot_counts_the_held_value_so_far() -> None:
    """Restored at 3060 s holding 9: the open slot already has 60 s of 9 in it."""
    buffer = ChannelBuffer(4)
    buffer.restore(np.full(4, 1.0, dtype=np.float32), 10, 9.0, 3060.0)
    assert buffer.integrated_until == 3060.0
    buffer.observe(3240.0, 3.0)
    buffer.advance(3300.0)
    assert buffer.window(11, 1)[0] == pytest.approx((9 * 240 + 3 * 60) / 300)
    gap = ChannelBuffer(4)
    gap.restore(np.full(4, 1.0, dtype=np.float32), 10, math.nan, 3060.0)
    gap.observe(3240.0, 3.0)
    gap.advance(3300.0)
    assert gap.window(11, 1)[0] == pytest.approx(3.0)


def test_load_replays_after_the_last_whole_slot() -> None:
    """Whole slots are resampled; changes in the open slot are replayed into it."""
    times = np.array([0.0, 400.0, 650.0, 700.0])
    values = np.array([1.0, 4.0, 7.0, 10.0])
    buffer = ChannelBuffer(10)
    buffer.load(times, values, 800.0)
    assert buffer.end_slot == 2
    assert buffer.integrated_until == 800.0
    assert buffer.held == 10.0
    np.testing.assert_allclose(buffer.window(2, 2), [1.0, (1 * 100 + 4 * 200) / 300])
    buffer.advance(900.0)
    assert buffer.window(3, 1)[0] == pytest.approx((4 * 50 + 7 * 50 + 10 * 200) / 300)


def test_load_holding_a_value_set_exactly_on_the_boundary() -> None:
    """A value set exactly where the open slot starts is the one held, not replayed."""
    buffer = ChannelBuffer(10)
    buffer.load(np.array([0.0, 600.0]), np.array([2.0, 5.0]), 700.0)
    assert buffer.end_slot == 2
    assert buffer.held == 5.0
    buffer.advance(900.0)
    np.testing.assert_allclose(buffer.window(3, 3), [2.0, 2.0, 5.0])


def test_load_within_the_open_slot_and_empty() -> None:
    """History only inside the open slot writes no slot; empty history leaves an empty buffer."""
    buffer = ChannelBuffer(4)
    buffer.load(np.array([620.0]), np.array([8.0]), 700.0)
    assert buffer.end_slot == 2
    assert np.isnan(buffer.window(2, 4)).all()
    buffer.advance(900.0)
    assert buffer.window(3, 1)[0] == pytest.approx(8.0)
    buffer.load(np.array([]), np.array([]), 700.0)
    assert buffer.end_slot is None
    assert buffer.integrated_until is None
    assert math.isnan(buffer.held)
    assert np.isnan(buffer.values).all()


def test_bulk_load_longer_than_capacity() -> None:
    """Loading more history than fits keeps the newest slots."""
    times = np.arange(0, 3000, 300.0)
    buffer = ChannelBuffer(3)
    buffer.load(times, times / 300, 3000.0)
    np.testing.assert_array_equal(buffer.window(10, 3), [7, 8, 9])


def test_write_more_than_capacity_keeps_the_newest() -> None:
    """A block write longer than the ring lands only its newest values, at their positions."""
    buffer = ChannelBuffer(4)
    buffer._write(3, 10, np.arange(10.0))  # slots 3..12 hold 0..9
    np.testing.assert_array_equal(buffer.values, [9, 6, 7, 8])  # slots 9..12 at 1, 2, 3, 0
    buffer._write(13, 6, 5.0)
    np.testing.assert_array_equal(buffer.values, [5, 5, 5, 5])
