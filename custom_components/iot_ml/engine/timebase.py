"""Local time of week for slots: routines follow the household's clock, not UTC."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from .grid import SLOT_SECONDS, SLOTS_PER_HOUR

HOURS_PER_WEEK = 168


def hour_of_week(start_slot: int, count: int, tz: str) -> npt.NDArray[np.int64]:
    """Local hour of week (Monday 00:00 = 0) of each slot in ``[start_slot, start_slot+count)``."""
    zone = ZoneInfo(tz)
    first_hour = start_slot // SLOTS_PER_HOUR
    last_hour = (start_slot + count - 1) // SLOTS_PER_HOUR
    # One zoneinfo lookup per UTC hour (DST changes on hour boundaries).
    hours = np.arange(first_hour, last_hour + 1)
    local = np.empty(len(hours), dtype=np.int64)
    for i, hour in enumerate(hours):
        moment = datetime.fromtimestamp(int(hour) * 3600, UTC).astimezone(zone)
        local[i] = moment.weekday() * 24 + moment.hour
    slots = np.arange(start_slot, start_slot + count)
    return np.asarray(local[slots // SLOTS_PER_HOUR - first_hour], dtype=np.int64)


def slot_epoch(slot: int) -> float:
    """Epoch seconds at the start of ``slot``."""
    return float(slot * SLOT_SECONDS)
