"""Unusual activity (the security signal) and unusual inactivity (the welfare signal).

Call ``update`` once per 5-minute slot for a zone or the whole home with how much activity
evidence the slot held (e.g. how many motion/door/light entities were active) and whether the
home is observed empty (person/device trackers) and, optionally, predicted empty by the
occupancy model. Two rules alert on activity:
- the home is observed (and predicted) empty, yet activity adds up to ``min_evidence`` and the
  home is still empty ``grace`` seconds later (phones report arrivals minutes late);
- activity at an hour of the week when this place is almost never active.
Inactivity alerts when someone is home but nothing moved for far longer than ever seen at this
hour of day (sleeping hours learn their own, long, runs).
"""

from dataclasses import dataclass

from ..core.state import FieldType, JsonObject, read_state, write_state
from .episodes import EpisodeTracker
from .stats import HourClock, RunLengths
from .types import AnomalyResult, Episode, Feedback, Kind

STATE_VERSION = 1
WEEK_SHRINK = 12.0  # slots an hour of week needs before its rate counts as much as its hour of day
DAY_MEMORY = 14.0 * 12.0
WEEK_MEMORY = 4.0 * 12.0
RARE_PAIR = 1800.0  # seconds within which further active slots confirm rare-hour activity
RARE_SLOTS = 3  # active slots within RARE_PAIR at a rare hour that alert
PENDING_WINDOW = 1800.0  # activity while empty must add up within this (not stray PIR blips)
FALSE_ALARM_RATE_BUMP = (
    0.05  # a false "unusual hour" alarm makes that hour count as sometimes active
)


@dataclass(frozen=True, slots=True)
class ActivityConfig:
    """How a zone's (or the home's) activity is watched."""

    key: str
    tz: str = "UTC"
    sensitivity: float = 0.5
    grace: float = 600.0
    # Activity (entity-slots) needed while empty: one PIR blip is not enough.
    min_evidence: float = 3.0
    # At medium sensitivity, an hour of day below this share of active slots is "almost never
    # active"; two active slots within half an hour there alert.
    rare_rate: float = 0.002
    warmup: float = 14 * 86400.0
    inactivity_floor: float = 2 * 3600.0
    refractory: float = 6 * 3600.0
    clear_after: float = 1800.0
    inactivity: bool = True  # False: watch unusual activity only (e.g. a zone, not the home)


class ActivityDetector:
    """Learns when a place is active, by hour of week, and how long it is normally still."""

    def __init__(self, config: ActivityConfig) -> None:
        self.config = config
        self._clock = HourClock(config.tz)
        self.day = [0.0] * 24  # activity rate (share of active slots) per hour of day
        self.day_n = [0.0] * 24
        self.week = [0.0] * 168
        self.week_n = [0.0] * 168
        self.still = RunLengths()  # inactivity while someone is home
        self.activity = EpisodeTracker(
            config.key + ":activity", config.clear_after, config.refractory
        )
        self.inactivity = EpisodeTracker(config.key + ":inactivity", config.clear_after, 3600.0)
        self.first_ts: float | None = None
        self.quiet_since: float | None = None  # someone home and nothing active since
        self.pending_since: float | None = None  # activity while empty, waiting out the grace
        self.pending_evidence = 0.0
        self.rare_since: float | None = None  # first active slot at an almost-never-active hour
        self.rare_count = 0
        self.last_hour = -1
        self.last_day = -1

    def rate(self, ts: float) -> float:
        """Learned share of active slots at ``ts``'s hour of week."""
        how = self._clock.hour(ts)
        h = how % 24
        n = self.week_n[how]
        return self.day[h] + n / (n + WEEK_SHRINK) * (self.week[how] - self.day[h])

    def update(
        self,
        ts: float,
        evidence: float,
        *,
        observed_empty: bool | None = None,
        predicted_empty: float | None = None,
    ) -> AnomalyResult:
        """Take in one slot; ``evidence`` > 0 means something was active in it.

        ``observed_empty``: whether trackers say the place is empty (None: nobody knows, so only
        the routine is learned); ``predicted_empty``: P(empty) from the occupancy model.
        """
        if self.first_ts is None:
            self.first_ts = ts
        self._hourly(ts)
        warm = ts - self.first_ts >= self.config.warmup
        rate = self.rate(ts)
        active = evidence > 0.0
        alert = self._unusual_activity(
            ts,
            evidence,
            rate,
            observed_empty=observed_empty,
            predicted_empty=predicted_empty,
            warm=warm,
        )
        cleared = self.activity.step(ts, active and observed_empty is True)
        alert2, cleared2 = self._unusual_inactivity(ts, active, observed_empty is False, warm)
        if self.activity.open is None or not self.activity.confirmed:
            self._learn(ts, 1.0 if active else 0.0)
        open_ep = self.activity.open or self.inactivity.open
        score = 1.0 - rate if active else 0.0
        return AnomalyResult(
            score,
            None if open_ep is None else open_ep.kind,
            None,
            None,
            alert=alert or alert2,
            cleared=cleared or cleared2,
            episode_id=None if open_ep is None else open_ep.id,
        )

    def _unusual_activity(
        self,
        ts: float,
        evidence: float,
        rate: float,
        *,
        observed_empty: bool | None,
        predicted_empty: float | None,
        warm: bool,
    ) -> Episode | None:
        cfg = self.config
        empty = observed_empty is True and (predicted_empty is None or predicted_empty >= 0.5)
        if not empty:
            self.pending_since, self.pending_evidence = None, 0.0
        elif evidence > 0.0:
            if self.pending_since is None or ts - self.pending_since > PENDING_WINDOW:
                self.pending_since, self.pending_evidence = ts, 0.0
            self.pending_evidence += evidence
        if not self.activity.can_alert(ts):
            return None
        h = self._clock.hour(ts) % 24
        day_rate = self.day[h]
        if warm and evidence > 0.0:
            # The first slot was judged before it was learned; later ones only confirm it.
            if self.rare_since is not None and ts - self.rare_since <= RARE_PAIR:
                self.rare_count += 1
                if self.rare_count >= RARE_SLOTS:
                    self.rare_since = None
                    return self.activity.start(
                        ts, Kind.UNUSUAL_ACTIVITY, score=1.0 - day_rate, value=evidence
                    )
            else:
                # Rare means the neighbouring hours too: an early riser is not an intruder.
                near = max(day_rate, self.day[h - 1], self.day[(h + 1) % 24])
                rare = near < cfg.rare_rate * cfg.sensitivity / 0.5
                self.rare_since, self.rare_count = (ts, 1) if rare else (None, 0)
        if (
            self.pending_since is not None
            and ts - self.pending_since >= cfg.grace
            and self.pending_evidence >= cfg.min_evidence
        ):
            self.pending_since, self.pending_evidence = None, 0.0
            return self.activity.start(ts, Kind.UNUSUAL_ACTIVITY, score=1.0 - rate, value=evidence)
        return None

    def _unusual_inactivity(
        self, ts: float, active: bool, home: bool, warm: bool
    ) -> tuple[Episode | None, Episode | None]:
        tracker = self.inactivity
        if active or not home:
            cleared = None
            if self.quiet_since is not None:
                if (
                    tracker.open is None
                    or tracker.feedback.get(tracker.open.id) == Feedback.FALSE_ALARM
                ):
                    self.still.observe(self.quiet_since, ts, self._clock)
                cleared = tracker.close(ts) if tracker.open is not None else None
            self.quiet_since = ts if home else None
            return None, cleared
        if self.quiet_since is None:
            self.quiet_since = ts
            return None, None
        factor = 1.0 + 0.5 / self.config.sensitivity
        limit = self.still.limit(ts, self._clock, factor, self.config.inactivity_floor)
        run = ts - self.quiet_since
        armed = warm and self.config.inactivity
        if limit is not None and armed and run > limit and tracker.can_alert(ts):
            return tracker.start(
                ts, Kind.UNUSUAL_INACTIVITY, score=1.0 - limit / run / 2, value=run
            ), None
        return None, None

    def _learn(self, ts: float, x: float) -> None:
        how = self._clock.hour(ts)
        h = how % 24
        self.day_n[h] += 1.0
        self.day[h] += (x - self.day[h]) / min(self.day_n[h], DAY_MEMORY)
        self.week_n[how] += 1.0
        self.week[how] += (x - self.week[how]) / min(self.week_n[how], WEEK_MEMORY)

    def _hourly(self, ts: float) -> None:
        hour = int(ts // 3600.0)
        if hour == self.last_hour:
            return
        self.last_hour = hour
        self.still.count_hour(ts, self._clock)
        if hour // 24 != self.last_day:
            self.last_day = hour // 24
            self.still.close_day()

    @property
    def open_episodes(self) -> tuple[Episode, ...]:
        """The open unusual-activity and unusual-inactivity episodes."""
        return tuple(t.open for t in (self.activity, self.inactivity) if t.open is not None)

    def mark(self, episode_id: str, verdict: Feedback) -> bool:
        """Feedback; a false "unusual activity" raises that hour's learned activity rate."""
        for tracker in (self.activity, self.inactivity):
            found = tracker.mark(episode_id, verdict)
            if found is None:
                continue
            kind, start = found
            if verdict is Feedback.FALSE_ALARM:
                how = self._clock.hour(start)
                if kind == Kind.UNUSUAL_ACTIVITY:
                    self.week[how] += FALSE_ALARM_RATE_BUMP
                    self.day[how % 24] += FALSE_ALARM_RATE_BUMP / 2
                else:
                    h = how % 24
                    self.still.longest[h] = max(
                        self.still.longest[h] * 1.5, start - (self.quiet_since or start)
                    )
            return True
        return False

    def to_json(self) -> JsonObject:
        """All learned state as plain JSON."""
        return write_state(
            STATE_VERSION,
            day=self.day,
            day_n=self.day_n,
            week=self.week,
            week_n=self.week_n,
            still=self.still.to_json(),
            activity=self.activity.to_json(),
            inactivity=self.inactivity.to_json(),
            first_ts=self.first_ts,
            quiet_since=self.quiet_since,
        )

    @classmethod
    def from_json(cls, config: ActivityConfig, data: JsonObject) -> ActivityDetector:
        """Inverse of ``to_json``; ``ValueError`` on another version, a malformed field or
        wrong sizes."""
        data = read_state(data, "activity state", STATE_VERSION, _FIELDS)
        det = cls(config)
        for name, size in (("day", 24), ("day_n", 24), ("week", 168), ("week_n", 168)):
            values = [float(x) for x in data[name]]
            if len(values) != size:
                raise ValueError(f"{name} must have {size} entries")
            setattr(det, name, values)
        det.still = RunLengths.from_json(data["still"])
        det.activity = EpisodeTracker.from_json(config.key + ":activity", data["activity"])
        det.inactivity = EpisodeTracker.from_json(config.key + ":inactivity", data["inactivity"])
        det.first_ts = None if data["first_ts"] is None else float(data["first_ts"])
        det.quiet_since = None if data["quiet_since"] is None else float(data["quiet_since"])
        return det


_FIELDS: dict[str, FieldType] = {
    "day": list,
    "day_n": list,
    "week": list,
    "week_n": list,
    "still": dict,
    "activity": dict,
    "inactivity": dict,
    "first_ts": (float, None),
    "quiet_since": (float, None),
}
