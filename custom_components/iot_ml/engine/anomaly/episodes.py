"""Debouncing: one alert per episode, an episode clears after a quiet spell, then a refractory period."""

from dataclasses import dataclass, field
from typing import Any

from .types import Episode, Feedback, Kind

RECENT = 20  # episodes remembered for feedback


@dataclass(slots=True)
class EpisodeTracker:
    """The open episode of one detector, its debounce timers, and recent episodes for feedback."""

    key: str
    clear_after: float = 900.0  # seconds without abnormal evidence before an episode clears
    refractory: float = 3600.0  # seconds after a clear during which nothing new alerts
    open: Episode | None = None
    last_abnormal: float = 0.0
    quiet_until: float = 0.0
    confirmed: bool = False  # the open episode was confirmed: keep it out of the baseline
    recent: list[tuple[str, str, float]] = field(default_factory=list)  # id, kind, start
    feedback: dict[str, str] = field(default_factory=dict)  # id -> Feedback of recent episodes

    def can_alert(self, ts: float) -> bool:
        """No episode open and the refractory period is over."""
        return self.open is None and ts >= self.quiet_until

    def start(
        self,
        ts: float,
        kind: Kind,
        *,
        score: float,
        value: float | None = None,
        low: float | None = None,
        high: float | None = None,
        about: str | None = None,
    ) -> Episode:
        """Open a new episode (callers check ``can_alert`` first); ``about`` overrides the key."""
        key = about or self.key
        ep = Episode(f"{key}:{kind.value}:{int(ts)}", key, kind, ts, score, value, low, high)
        self.open, self.last_abnormal, self.confirmed = ep, ts, False
        self.recent = [*self.recent[-(RECENT - 1) :], (ep.id, kind.value, ts)]
        return ep

    def step(self, ts: float, abnormal: bool) -> Episode | None:
        """Note whether the open episode's evidence persists; the episode if it cleared now."""
        if self.open is None:
            return None
        if abnormal:
            self.last_abnormal = ts
            return None
        if ts - self.last_abnormal < self.clear_after:
            return None
        return self.close(ts)

    def close(self, ts: float) -> Episode | None:
        """End the open episode now; the refractory period starts."""
        ep, self.open = self.open, None
        self.quiet_until = ts + self.refractory
        self.confirmed = False
        return ep

    def find(self, episode_id: str) -> tuple[str, float] | None:
        """Kind and start of a recent episode."""
        for eid, kind, start in self.recent:
            if eid == episode_id:
                return kind, start
        return None

    def mark(self, episode_id: str, verdict: Feedback) -> tuple[str, float] | None:
        """Record feedback on a recent episode; its kind and start, or None if unknown."""
        found = self.find(episode_id)
        if found is None:
            return None
        self.feedback[episode_id] = verdict.value
        if self.open is not None and self.open.id == episode_id:
            self.confirmed = verdict is Feedback.CONFIRMED
        return found

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (the open episode is kept, so a restart does not alert twice)."""
        ep = self.open
        return {
            "clear_after": self.clear_after,
            "refractory": self.refractory,
            "open": None
            if ep is None
            else [
                ep.id,
                ep.kind.value,
                ep.start,
                ep.score,
                ep.value,
                ep.expected_low,
                ep.expected_high,
            ],
            "last_abnormal": self.last_abnormal,
            "quiet_until": self.quiet_until,
            "confirmed": self.confirmed,
            "recent": [list(r) for r in self.recent],
            "feedback": dict(self.feedback),
        }

    @classmethod
    def from_json(cls, key: str, data: dict[str, Any]) -> EpisodeTracker:
        """Inverse of ``to_json``."""
        raw = data["open"]
        ep = None
        if raw is not None:
            eid, kind, start, score, value, low, high = raw
            ep = Episode(
                str(eid),
                str(eid).rsplit(":", 2)[0],
                Kind(kind),
                float(start),
                float(score),
                value,
                low,
                high,
            )
        return cls(
            key=key,
            clear_after=float(data["clear_after"]),
            refractory=float(data["refractory"]),
            open=ep,
            last_abnormal=float(data["last_abnormal"]),
            quiet_until=float(data["quiet_until"]),
            confirmed=bool(data["confirmed"]),
            recent=[(str(a), str(b), float(c)) for a, b, c in data["recent"]],
            feedback={str(k): str(v) for k, v in data["feedback"].items()},
        )
