"""A zone's anomaly watch: a detector per watched sensor plus its activity, as the learner runs it.

Readings of watched sensors go in as they arrive; every 5 minutes the sensors are checked for
stuck values and dropouts and the zone's activity slot is judged against who is (predicted to
be) home. What comes out are episode events: an alert when an episode begins, "cleared" when
it ends. Recorded history can be replayed first so a restart or a first setup starts warm.
"""

from contextlib import suppress
from dataclasses import dataclass
import math
from typing import Any

from ..core.state import JsonObject, read_state, write_state
from ..core.types import Series
from .activity import ActivityConfig, ActivityDetector
from .detector import AnomalyDetector
from .joint import JointConfig, JointDetector
from .sensor import SensorConfig, SensorDetector
from .types import CLEARED, AnomalyResult, Episode, Feedback

STATE_VERSION = 1
JOINT_CHANNELS = ("temp_change", "heating")  # per slot: air temperature change, heater on 0..1


@dataclass(frozen=True, slots=True)
class AnomalyEvent:
    """An episode began (``event_type`` is its kind) or ended (``cleared``)."""

    event_type: str
    episode: Episode


class ZoneAnomalies:
    """Every detector of one zone (or the home)."""

    def __init__(
        self,
        key: str,
        watched: list[str],
        tz: str,
        sensitivity: float,
        activity: bool,
        *,
        inactivity: bool = False,
        joint: bool = False,
    ) -> None:
        """Watch ``watched`` channel keys; with ``activity``, the zone's activity too.

        ``inactivity`` also raises unusual inactivity: for the whole home, not a single room
        (a room is often still for hours while people are elsewhere in the house). ``joint``
        checks the zone's heating against its temperature each slot ("cools while heating").
        """
        self.key = key
        self.tz = tz
        self.sensors = {k: SensorDetector(self._sensor_config(k, sensitivity)) for k in watched}
        config = ActivityConfig(key, tz=tz, sensitivity=sensitivity, inactivity=inactivity)
        self.activity = ActivityDetector(config) if activity else None
        self.joint = (
            JointDetector(JointConfig(key, JOINT_CHANNELS, sensitivity=sensitivity))
            if joint
            else None
        )
        self.scores: dict[str, float] = {}
        self.episodes: dict[str, Episode] = {}  # open episodes by id

    def _sensor_config(self, channel: str, sensitivity: float) -> SensorConfig:
        return SensorConfig(channel, sensitivity=sensitivity, tz=self.tz)

    # -- live ---------------------------------------------------------------------------------

    def observe(self, ts: float, channel: str, value: float | None) -> list[AnomalyEvent]:
        """A new reading of a watched channel (None: unavailable)."""
        detector = self.sensors.get(channel)
        if detector is None:
            return []
        return self._take(channel, detector.update(ts, value))

    def check(self, ts: float) -> list[AnomalyEvent]:
        """Time-based checks (stuck, dropout) of every sensor; call every few minutes."""
        events: list[AnomalyEvent] = []
        for channel, detector in self.sensors.items():
            events += self._take(channel, detector.check(ts))
        return events

    def activity_slot(
        self,
        ts: float,
        evidence: float,
        *,
        observed_empty: bool | None,
        predicted_empty: float | None,
    ) -> list[AnomalyEvent]:
        """One closed slot of the zone's activity (``evidence``: active channels in it)."""
        if self.activity is None:
            return []
        result = self.activity.update(
            ts, evidence, observed_empty=observed_empty, predicted_empty=predicted_empty
        )
        return self._take(None, result)

    def joint_slot(self, ts: float, values: dict[str, float | None]) -> list[AnomalyEvent]:
        """One closed slot of the zone's joint channels (``JOINT_CHANNELS``)."""
        if self.joint is None:
            return []
        return self._take(None, self.joint.update(ts, values))

    def _take(self, channel: str | None, result: AnomalyResult) -> list[AnomalyEvent]:
        if channel is not None:
            self.scores[channel] = result.score
        events = []
        if result.cleared is not None:
            self.episodes.pop(result.cleared.id, None)
            events.append(AnomalyEvent(CLEARED, result.cleared))
        if result.alert is not None:
            self.episodes[result.alert.id] = result.alert
            events.append(AnomalyEvent(result.alert.kind.value, result.alert))
        return events

    # -- warm start and feedback --------------------------------------------------------------

    def replay(self, history: dict[str, Series]) -> None:
        """Learn from recorded readings, oldest first; what they would have raised is dropped."""
        merged = sorted(
            (float(t), channel, float(v))
            for channel, series in history.items()
            if channel in self.sensors
            for t, v in zip(series.times, series.values, strict=True)
        )
        for t, channel, v in merged:
            self.sensors[channel].update(t, None if math.isnan(v) else v)
        self.episodes.clear()

    def replay_joint(self, slots: list[tuple[float, dict[str, float | None]]]) -> None:
        """Learn how the zone's heating and temperature move together from past slots."""
        if self.joint is None:
            return
        for ts, values in slots:
            self.joint.update(ts, values)
        self.episodes.clear()

    def replay_activity(self, activity: list[tuple[float, float, bool | None]]) -> None:
        """Learn the activity routine from past slots: (time, evidence, observed empty)."""
        if self.activity is None:
            return
        for ts, evidence, empty in activity:
            self.activity.update(ts, evidence, observed_empty=empty)
        self.episodes.clear()

    def detectors(self) -> list[AnomalyDetector[Any]]:
        """Every detector of the zone: its sensors', then activity, then the joint check."""
        out: list[AnomalyDetector[Any]] = [*self.sensors.values()]
        if self.activity is not None:
            out.append(self.activity)
        if self.joint is not None:
            out.append(self.joint)
        return out

    def mark(self, episode_id: str, verdict: Feedback) -> bool:
        """Tell the detector that raised ``episode_id`` what it was; False if none did."""
        known = any(d.mark(episode_id, verdict) for d in self.detectors())
        self._sync_open()  # "all fine" may have closed the open episode
        return known

    def _sync_open(self) -> None:
        self.episodes = {ep.id: ep for d in self.detectors() for ep in d.open_episodes}

    # -- persistence --------------------------------------------------------------------------

    def to_json(self) -> JsonObject:
        """Plain JSON."""
        return write_state(
            STATE_VERSION,
            sensors={k: d.to_json() for k, d in self.sensors.items()},
            activity=None if self.activity is None else self.activity.to_json(),
            joint=None if self.joint is None else self.joint.to_json(),
        )

    def restore(self, data: JsonObject) -> None:
        """Put back ``to_json`` output (sensors no longer watched are dropped).

        The configured sensitivity wins over the saved one: the option may have changed.
        ``ValueError`` when ``data`` is of another version or malformed; a detector whose own
        state is refused starts afresh instead.
        """
        data = read_state(
            data,
            "zone anomaly state",
            STATE_VERSION,
            {"sensors": dict, "activity": (dict, None)},
            optional={"joint": dict},  # states saved before the joint check have none
        )
        for channel, state in data["sensors"].items():
            if channel in self.sensors:
                config = self.sensors[channel].config
                try:
                    self.sensors[channel] = SensorDetector.from_json(config, state)
                except ValueError:
                    continue  # saved by another detector version: this one learns afresh
                self.sensors[channel].sensitivity = config.sensitivity
        if self.activity is not None and data["activity"] is not None:
            with suppress(ValueError):  # as above
                self.activity = ActivityDetector.from_json(self.activity.config, data["activity"])
        if self.joint is not None and data["joint"] is not None:
            with suppress(ValueError):
                self.joint = JointDetector.from_json(self.joint.config, data["joint"])
        self._sync_open()
