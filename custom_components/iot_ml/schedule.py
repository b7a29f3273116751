"""A daily job at a wall-clock time, right across daylight-saving changes."""

from collections.abc import Callable
from datetime import datetime, time, timedelta

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util


def daily_after(at: time, moment: datetime) -> datetime:
    """The first ``at`` (wall-clock, HA's time zone) strictly after ``moment``, in local time."""
    local = dt_util.as_local(moment)
    day = local.date()
    while True:
        naive = datetime.combine(day, at.replace(tzinfo=None))
        # A round trip through UTC moves a time skipped by the clock change past it.
        candidate = dt_util.as_local(
            dt_util.as_utc(naive.replace(tzinfo=dt_util.get_default_time_zone()))
        )
        if candidate > local:
            return candidate
        day += timedelta(days=1)


class DailyAt:
    """Runs ``action`` once per local calendar day at ``at``.

    Scheduled on dates, not as "every 24 hours" or by matching the clock: on the day clocks go
    forward a time that does not exist (02:30 in Europe/Berlin) runs at the same offset after
    the change (03:30), and on the day they go back a time that exists twice runs once.
    """

    def __init__(self, hass: HomeAssistant, at: time, action: Callable[[], None]) -> None:
        """Prepare (nothing is scheduled before ``async_start``)."""
        self._hass = hass
        self._at = at
        self._action = action
        self._next: datetime | None = None
        self._unsub: CALLBACK_TYPE | None = None

    def next_after(self, moment: datetime) -> datetime:
        """The first run strictly after ``moment`` (local time)."""
        return daily_after(self._at, moment)

    def next_run(self) -> datetime:
        """When the job runs next (local time)."""
        return self._next if self._next is not None else self.next_after(dt_util.now())

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Schedule the next run; the returned callback cancels it."""
        self._arm(dt_util.now())
        return self._cancel

    @callback
    def _arm(self, after: datetime) -> None:
        self._next = self.next_after(after)
        self._unsub = async_track_point_in_utc_time(
            self._hass, self._fire, dt_util.as_utc(self._next)
        )

    @callback
    def _fire(self, _now: datetime) -> None:
        fired = self._next or dt_util.now()
        self._arm(max(dt_util.now(), fired))
        self._action()

    @callback
    def _cancel(self) -> None:
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
