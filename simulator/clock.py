"""Local wall-clock view of epoch seconds: routines and sunlight follow the home's time zone."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from .arrays import FloatArray


class LocalClock:
    """Converts between epoch seconds (UTC) and local dates/hours in one time zone."""

    def __init__(self, timezone: str) -> None:
        self._tz = ZoneInfo(timezone)

    def date_of(self, ts: float) -> date:
        """The local calendar date at epoch `ts`."""
        return datetime.fromtimestamp(ts, self._tz).date()

    def at(self, day: date, hour: float) -> float:
        """Epoch seconds of local wall-clock `hour` (may exceed 24) on `day`."""
        wall = datetime(day.year, day.month, day.day, tzinfo=self._tz) + timedelta(hours=hour)
        return wall.timestamp()

    def utc_offset(self, ts: float) -> float:
        """Seconds the local clock is ahead of UTC at `ts`."""
        offset = datetime.fromtimestamp(ts, UTC).astimezone(self._tz).utcoffset()
        return offset.total_seconds() if offset is not None else 0.0

    def local_hours(self, ts: FloatArray) -> FloatArray:
        """Hour of the local day (0..24) for each epoch time."""
        first, last = self.utc_offset(float(ts[0])), self.utc_offset(float(ts[-1]))
        if first == last:
            offsets: FloatArray | float = first
        else:  # a DST switch inside the span: look each time up
            offsets = np.array([self.utc_offset(float(t)) for t in ts])
        return np.asarray(((ts + offsets) % 86400.0) / 3600.0, dtype=np.float64)
