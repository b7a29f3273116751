"""Per-zone joint check: a reading that disagrees with the zone's other sensors.

The zone's channels (e.g. temperature, its rate of change, heater power, "heating" 0/1, CO2)
get a running mean and covariance with forgetting. From the precision matrix each channel's
residual given all the others falls out at once (``P d / diag(P)``), so "temperature falls while
the heating runs" or "one thermometer drifts away from its neighbours" shows up as a large
conditional z, and the overall Mahalanobis distance (Hotelling's T²) scores the whole zone.
Call it once per slot (cost: a small matrix product), not per reading.
"""

from dataclasses import dataclass
import math

import numpy as np

from ..core.state import FieldType, JsonObject, read_state, write_state
from ..core.types import FloatArray
from .episodes import EpisodeTracker
from .stats import TailCalibrator
from .types import AnomalyResult, Episode, Feedback, Kind, alert_tail

STATE_VERSION = 1
RIDGE = 1e-3  # relative shrinkage of the covariance toward its diagonal, keeps it invertible
REFRESH = 12  # samples between precision-matrix refreshes


@dataclass(frozen=True, slots=True)
class JointConfig:
    """Which channels of a zone are checked together."""

    key: str
    channels: tuple[str, ...]
    sensitivity: float = 0.5
    half_life: float = 2016.0  # samples (a week of slots)
    warmup: int = 288  # samples before alerts
    clear_after: float = 900.0
    refractory: float = 3600.0


class JointDetector:
    """Running Gaussian model of a zone's channels; alerts on the channel that disagrees most."""

    def __init__(self, config: JointConfig) -> None:
        self.config = config
        d = len(config.channels)
        self.mean: FloatArray = np.zeros(d)
        self.cov: FloatArray = np.eye(d)
        self.n = 0.0
        self.samples = 0
        self.calibrator = TailCalibrator(half_life=config.half_life)
        self.tracker = EpisodeTracker(config.key, config.clear_after, config.refractory)
        self._precision: FloatArray = np.eye(d)
        self._since_refresh = REFRESH
        self._p_alert = alert_tail(config.sensitivity)

    def residuals(self, values: dict[str, float | None]) -> tuple[FloatArray, float]:
        """Conditional z of each channel given the others, and sqrt(T² / channels)."""
        x = np.array([_or_nan(values.get(c)) for c in self.config.channels])
        d = np.where(np.isnan(x), 0.0, x - self.mean)
        if self._since_refresh >= REFRESH:
            self._refresh()
        pd = self._precision @ d
        diag = np.diag(self._precision)
        z = pd / np.sqrt(diag)
        t2 = float(d @ pd)
        return z, math.sqrt(max(t2, 0.0) / len(d))

    def update(
        self, ts: float, values: dict[str, float | None], *, learn: bool = True
    ) -> AnomalyResult:
        """Score one slot of the zone's channels (None/NaN = missing) and learn it."""
        z, t = self.residuals(values)
        p = self.calibrator.tail(t)
        worst = int(np.argmax(np.abs(z)))
        kind = Kind.SPIKE if z[worst] > 0 else Kind.DROP
        tracker = self.tracker
        alert: Episode | None = None
        cleared = tracker.step(ts, p < math.sqrt(self._p_alert))
        if self.samples >= self.config.warmup and p < self._p_alert and tracker.can_alert(ts):
            channel = self.config.channels[worst]
            alert = tracker.start(
                ts,
                kind,
                score=1.0 - p,
                value=_or_nan(values.get(channel)),
                about=f"{self.config.key}/{channel}",
            )
        if learn and (tracker.open is None or not tracker.confirmed):
            self._learn(values, weight=0.1 if tracker.open is not None else 1.0)
            if tracker.open is None and self.samples > self.config.warmup // 2:
                self.calibrator.add(t)  # not the first samples: the model is still settling
        open_ep = tracker.open
        return AnomalyResult(
            1.0 - p,
            None if open_ep is None else open_ep.kind,
            None,
            None,
            alert=alert,
            cleared=cleared,
            episode_id=None if open_ep is None else open_ep.id,
        )

    def _learn(self, values: dict[str, float | None], weight: float) -> None:
        x = np.array([_or_nan(values.get(c)) for c in self.config.channels])
        x = np.where(np.isnan(x), self.mean, x)
        self.samples += 1
        self.n = min(self.n + weight, self.config.half_life)
        a = weight / self.n
        d = x - self.mean
        self.mean = np.asarray(self.mean + a * d, dtype=np.float64)
        self.cov = np.asarray((1.0 - a) * (self.cov + a * np.outer(d, d)), dtype=np.float64)
        self._since_refresh += 1

    def _refresh(self) -> None:
        var = np.diag(self.cov).copy()
        scale = np.maximum(var, 1e-12)
        shrunk = self.cov + RIDGE * np.diag(scale) + 1e-12 * np.eye(len(var))
        self._precision = np.asarray(np.linalg.inv(shrunk), dtype=np.float64)
        self._since_refresh = 0

    @property
    def open_episodes(self) -> tuple[Episode, ...]:
        """The open episode, if any (one at a time)."""
        open_ep = self.tracker.open
        return () if open_ep is None else (open_ep,)

    def mark(self, episode_id: str, verdict: Feedback) -> bool:
        """The user's verdict; "all fine" on the open episode closes it (its refractory period
        follows). True if this detector raised ``episode_id``."""
        found = self.tracker.mark(episode_id, verdict)
        open_ep = self.tracker.open
        if verdict is Feedback.FALSE_ALARM and open_ep is not None and open_ep.id == episode_id:
            self.tracker.close(open_ep.start)
        return found is not None

    def to_json(self) -> JsonObject:
        """Plain JSON."""
        return write_state(
            STATE_VERSION,
            channels=list(self.config.channels),
            mean=[float(x) for x in self.mean],
            cov=[[float(x) for x in row] for row in self.cov],
            n=self.n,
            samples=self.samples,
            calibrator=self.calibrator.to_json(),
            tracker=self.tracker.to_json(),
        )

    @classmethod
    def from_json(cls, config: JointConfig, data: JsonObject) -> JointDetector:
        """Inverse of ``to_json``; ``ValueError`` on another version, a malformed field or
        other channels."""
        data = read_state(data, "joint state", STATE_VERSION, _FIELDS)
        if tuple(data["channels"]) != config.channels:
            raise ValueError("the zone's channels changed")
        det = cls(config)
        det.mean = np.array(data["mean"], dtype=np.float64)
        det.cov = np.array(data["cov"], dtype=np.float64)
        det.n = float(data["n"])
        det.samples = int(data["samples"])
        det.calibrator = TailCalibrator.from_json(data["calibrator"], config.half_life)
        det.tracker = EpisodeTracker.from_json(config.key, data["tracker"])
        return det


_FIELDS: dict[str, FieldType] = {
    "channels": list,
    "mean": list,
    "cov": list,
    "n": float,
    "samples": int,
    "calibrator": dict,
    "tracker": dict,
}


def _or_nan(value: float | None) -> float:
    return math.nan if value is None else float(value)
