"""A bounded ring of 5-minute slot means for one channel, fed live or in bulk."""

import math

import numpy as np

from .grid import SLOT_SECONDS, slot_of
from .resample import resample_step
from .types import FloatArray

# Restored state beyond these is corrupt, not data: no reading is that large (the glue refuses
# more than 1e9), and slot 2**33 is in the year 83,000.
MAX_VALUE = 1e9
MAX_SLOT = 2**33


class ChannelBuffer:
    """Slot means of a step function (each observed value holds until the next).

    Memory is fixed (``capacity`` float32 slots). A live observation costs O(1) unless it
    closes many slots at once, which is a vectorised fill.
    """

    __slots__ = (
        "_acc_area",
        "_acc_time",
        "_held",
        "_t",
        "capacity",
        "clock_jumps",
        "end_slot",
        "values",
    )

    def __init__(self, capacity: int) -> None:
        """Create an empty buffer holding ``capacity`` slots."""
        self.capacity = capacity
        self.clock_jumps = 0
        self._reset()

    def _reset(self) -> None:
        self.values = np.full(self.capacity, np.nan, dtype=np.float32)
        # One past the newest finalised slot; None until the first observation.
        self.end_slot: int | None = None
        self._t: float | None = None  # time up to which the held value is integrated
        self._held = math.nan  # current value (NaN: gap)
        self._acc_area = 0.0  # integral of the held value over the open slot
        self._acc_time = 0.0  # covered seconds of the open slot

    @property
    def held(self) -> float:
        """The value currently in force (NaN during a gap)."""
        return self._held

    def observe(self, ts: float, value: float) -> None:
        """Take a new value (NaN for a gap) that holds from ``ts`` on."""
        if self._t is None:
            self._t = ts
            self.end_slot = slot_of(ts)
        elif ts < self._t:
            # The clock went back: the new value applies from where we are; no time is re-counted.
            self.clock_jumps += 1
        else:
            self.advance(ts)
        self._held = value

    def open_value(self, binary: bool) -> float:
        """Value of the slot still open: its mean so far; for a binary channel on now, 1."""
        if binary and self._held >= 0.5:
            return 1.0
        mean = self._open_mean()
        return self._held if math.isnan(mean) else mean

    def advance(self, ts: float) -> None:
        """Integrate the held value up to ``ts``, finalising every slot that ends on the way."""
        if self._t is None or self.end_slot is None or ts <= self._t:
            return
        t0 = self._t
        open_slot = self.end_slot
        slot_end = (open_slot + 1) * SLOT_SECONDS
        if ts < slot_end:
            self._accumulate(ts - t0)
            self._t = ts
            return
        self._accumulate(slot_end - t0)
        self._write(open_slot, 1, self._open_mean())
        last = slot_of(ts)
        if last > open_slot + 1:
            # Whole slots under one held value.
            self._write(open_slot + 1, last - open_slot - 1, self._held)
        self.end_slot = last
        self._acc_area = 0.0
        self._acc_time = 0.0
        self._accumulate(ts - last * SLOT_SECONDS)
        self._t = ts

    def load(self, times: FloatArray, values: FloatArray, until: float) -> None:
        """Replace the contents with a recorded step function known up to ``until``."""
        self._reset()
        if len(times) == 0:
            return
        start = max(slot_of(float(times[0])), slot_of(until) - self.capacity)
        end = slot_of(until)
        if end > start:
            self._write(start, end - start, resample_step(times, values, start, end))
        # Continue live from the last whole slot: replay what lies after its start.
        boundary = float(end * SLOT_SECONDS)
        first_after = int(np.searchsorted(times, boundary, side="right"))
        held = values[first_after - 1] if first_after > 0 else math.nan
        self._t = boundary
        self.end_slot = end
        self._held = float(held)
        for t, v in zip(times[first_after:], values[first_after:], strict=True):
            self.observe(float(t), float(v))
        self.advance(until)

    def window(self, end_slot: int, length: int) -> FloatArray:
        """Slot means for ``[end_slot - length, end_slot)``, oldest first, NaN where unknown."""
        out = np.full(length, np.nan)
        if self.end_slot is None:
            return out
        lo = max(end_slot - length, self.end_slot - self.capacity)
        hi = min(end_slot, self.end_slot)
        if hi > lo:
            idx = np.arange(lo, hi) % self.capacity
            out[lo - (end_slot - length) : hi - (end_slot - length)] = self.values[idx]
        return out

    def restore(self, values: FloatArray, end_slot: int, held: float, t: float) -> None:
        """Put back a saved state (``values`` may come from a buffer of another capacity);
        ``ValueError`` when it cannot be one (wrong shape, values or times out of range)."""
        values = np.asarray(values)
        if values.ndim != 1 or len(values) == 0 or not np.issubdtype(values.dtype, np.number):
            raise ValueError(f"slot values of shape {values.shape} ({values.dtype})")
        finite = values[~np.isnan(values)]
        if not np.isfinite(finite).all() or (np.abs(finite) > MAX_VALUE).any():
            raise ValueError("slot values out of range")
        if not 0 <= end_slot <= MAX_SLOT:
            raise ValueError(f"end slot {end_slot} out of range")
        if not math.isfinite(t) or abs(t / SLOT_SECONDS - end_slot) > 2:
            raise ValueError(f"integrated time {t} does not belong to slot {end_slot}")
        if math.isinf(held) or abs(held) > MAX_VALUE:
            raise ValueError(f"held value {held} out of range")
        if len(values) != self.capacity:
            # The learning window changed: keep the newest slots that fit.
            ordered = np.roll(np.asarray(values), -(end_slot % len(values)))
            keep = ordered[-self.capacity :]
            self.values = np.full(self.capacity, np.nan, dtype=np.float32)
            idx = np.arange(end_slot - len(keep), end_slot) % self.capacity
            self.values[idx] = keep
        else:
            self.values = np.asarray(values, dtype=np.float32).copy()
        self.end_slot = end_slot
        self._held = held
        self._t = t
        self._acc_area = 0.0
        self._acc_time = 0.0
        self._accumulate(t - end_slot * SLOT_SECONDS)

    @property
    def integrated_until(self) -> float | None:
        """Time up to which data has been taken in."""
        return self._t

    def _accumulate(self, seconds: float) -> None:
        if seconds > 0 and not math.isnan(self._held):
            self._acc_area += self._held * seconds
            self._acc_time += seconds

    def _open_mean(self) -> float:
        return self._acc_area / self._acc_time if self._acc_time > 0 else math.nan

    def _write(self, start: int, count: int, value: float | FloatArray) -> None:
        """Write ``count`` slots from absolute slot ``start`` (only the newest ``capacity`` land)."""
        if count > self.capacity:
            if not np.isscalar(value):
                value = np.asarray(value)[count - self.capacity :]
            start += count - self.capacity
            count = self.capacity
        pos = start % self.capacity
        first = min(count, self.capacity - pos)
        if np.isscalar(value):
            self.values[pos : pos + first] = value
            self.values[: count - first] = value
        else:
            arr = np.asarray(value)
            self.values[pos : pos + first] = arr[:first]
            self.values[: count - first] = arr[first:]
