"""Local time of week for slots: routines follow the household's clock, not UTC."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from .grid import SLOT_SECONDS, SLOTS_PER_HOUR

HOURS_PER_WEEK = 168
_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday = 0)


def _utc_offset(zone: ZoneInfo, ts: float) -> int:
    """Seconds ``zone`` is ahead of UTC at epoch time ``ts``."""
    return int((datetime.fromtimestamp(ts, zone).utcoffset() or timedelta(0)).total_seconds())


def hour_of_week(start_slot: int, count: int, tz: str) -> npt.NDArray[np.int64]:
    """Local hour of week (Monday 00:00 = 0) of each slot in ``[start_slot, start_slot+count)``."""
    zone = ZoneInfo(tz)
    slots = np.arange(start_slot, start_slot + max(count, 0), dtype=np.int64)
    if len(slots) == 0:
        return slots
    # One zoneinfo lookup per UTC hour. Offsets need not be whole hours (India, Newfoundland,
    # South Australia), so the offset is added per slot; in the rare hours where it changes
    # (not always on a UTC hour boundary: Adelaide changes at 16:30 UTC) each slot is looked up.
    first_hour = start_slot // SLOTS_PER_HOUR
    hour_index = slots // SLOTS_PER_HOUR - first_hour
    hours = range(first_hour, int(hour_index[-1]) + first_hour + 2)
    offsets = np.array([_utc_offset(zone, hour * 3600) for hour in hours], dtype=np.int64)
    offset = offsets[hour_index]
    for changing in np.flatnonzero(offsets[:-1] != offsets[1:]):
        inside = np.flatnonzero(hour_index == changing)
        offset[inside] = [_utc_offset(zone, int(s) * SLOT_SECONDS) for s in slots[inside]]
    day, second = np.divmod(slots * SLOT_SECONDS + offset, 86400)
    return np.asarray((day + _EPOCH_WEEKDAY) % 7 * 24 + second // 3600, dtype=np.int64)
