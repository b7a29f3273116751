"""One watched sensor: spikes/drops, level shifts and drift, stuck, dropout and out-of-range.

Feed every reading with ``update(ts, value)`` (``None`` while unavailable/unknown) and call
``check(ts)`` periodically (e.g. every 5 minutes) so time-based kinds (stuck, dropout) fire even
when nothing is reported. Scores are ``1 - tail probability`` against this sensor's own history
at this hour of week, so a threshold means the same on any sensor.
"""

from dataclasses import dataclass
import math
from typing import Any

from .anomaly_baseline import SeasonalBaseline
from .anomaly_episodes import EpisodeTracker
from .anomaly_stats import HourClock, RestValues, RunLengths, TailCalibrator
from .anomaly_types import AnomalyResult, Episode, Feedback, Kind, alert_tail

STATE_VERSION = 2
CUSUM_K = 1.5  # z allowance per sample: shifts below 1.5 typical deviations are ignored (NAB-tuned)
CUSUM_H = 24.0  # alarm level of the CUSUM sums at sensitivity 1 (medium: twice that)
CUSUM_CLIP = 4.0  # one wild reading cannot make a level shift
DRIFT_RATIO = 1.3  # recent z this much above the run's mean z: it is growing, a drift
DRIFT_SAMPLES = 144  # a change that took over 144 readings (12 h at 5 min) to stand out is gradual
FAST_ABNORMAL = 1.5  # |short mean of z| above which a level shift or drift still holds
STILL_FLOOR = 1800.0  # never call a sensor stuck or silent in under 30 minutes
GAP_FLOOR = 1800.0
EPISODE_WEIGHT = 0.1  # how much readings inside an (unconfirmed) episode teach the baseline
FALSE_ALARM_WIDEN = 1.5
RANGE_REFRESH = 288  # samples between refreshes of the cached alert z (for the expected range)
SLOW_ALPHA = 1.0 / 24.0  # EWMA of z over ~2 hours: how far the mean of z normally wanders
SLOW_WHITE = SLOW_ALPHA / (2.0 - SLOW_ALPHA)  # its mean square if z were white noise
SLOW_MEMORY = 4032.0  # samples (~2 weeks) for the wander statistics
SLOW_OUTLIER = 9.0  # a slow mean beyond 3 of its usual deviations is not learned as wander
DAY_FADE = 0.97  # daily fading of learned records (rest values)
ENVELOPE_SHRINK = 0.01  # share of its width the envelope of normal readings loses per day


@dataclass(frozen=True, slots=True)
class SensorConfig:
    """How one sensor is watched."""

    key: str
    low: float | None = None  # physical range: readings outside are always anomalous
    high: float | None = None
    sensitivity: float = 0.5  # see ``anomaly_types.sensitivity_value``
    tz: str = "UTC"
    warmup: float = 2 * 86400.0  # seconds of data before any statistical alert
    clear_after: float = 900.0
    refractory: float = 3600.0
    level_tau: float = 86400.0
    cusum: bool = True
    # A reading inside the range this sensor normally spans (a lamp at night, an open window)
    # needs a tail this much smaller to count as a spike/drop; 1.0 = purely contextual.
    context_tail: float = 0.01


class SensorDetector:
    """Streaming detectors for one sensor with one shared episode tracker (one alert per episode)."""

    def __init__(self, config: SensorConfig) -> None:
        self.config = config
        self.base = SeasonalBaseline(level_tau=config.level_tau)
        self.calibrator = TailCalibrator()
        self.still = RunLengths()  # how long the value normally stays unchanged, by hour
        self.gaps = RunLengths()  # how long it is normally unavailable
        self.rest = RestValues()  # values it habitually rests at for hours (0 W, 0 lx)
        self.env_low = math.inf  # envelope of normal readings
        self.env_high = -math.inf
        # Residuals of occupancy- or weather-driven sensors wander for hours. A CUSUM's normal
        # excursions grow with the variance of the slow mean of z, so its alarm level is
        # multiplied by how much more that wanders than it would for white noise.
        self.zslow = 0.0
        self.slow_ms = SLOW_WHITE  # mean square of zslow
        self.z_ms = 1.0  # mean square of clipped z
        self.wander_n = 0.0
        self.wander = 1.0
        self.tracker = EpisodeTracker(config.key, config.clear_after, config.refractory)
        self._clock = HourClock(config.tz)
        self.first_ts: float | None = None
        self.still_since: float | None = None  # last change of value
        self.gap_since: float | None = None  # start of the current unavailable spell
        self.last_hour = -1
        self.last_day = -1
        self.cpos = self.cneg = 0.0  # CUSUM sums and when each last left zero
        self.cpos_n = self.cneg_n = 0.0  # samples in the current CUSUM runs
        self.zfast = 0.0
        self._z_alert = 0.0
        self._since_refresh = RANGE_REFRESH
        self.sensitivity = config.sensitivity

    @property
    def sensitivity(self) -> float:
        """Higher = more alerts; see ``anomaly_types.alert_tail``."""
        return self._sensitivity

    @sensitivity.setter
    def sensitivity(self, value: float) -> None:
        self._sensitivity = min(1.0, max(0.05, value))
        self._p_alert = alert_tail(self._sensitivity)
        self._p_clear = math.sqrt(self._p_alert)
        self._cusum_h = CUSUM_H / self._sensitivity
        self._still_factor = 1.0 + 0.5 / self._sensitivity
        self._since_refresh = RANGE_REFRESH

    # -- readings ---------------------------------------------------------------------------

    def update(self, ts: float, value: float | None) -> AnomalyResult:
        """Take in one reading (None = unavailable) and score it."""
        self._hourly(ts)
        if self.first_ts is None:
            self.first_ts = ts
        if value is None or math.isnan(value):
            if self.gap_since is None:
                self.gap_since = ts
            return self.check(ts)
        cleared = self._end_gap(ts)
        if self.still_since is None or value != self.base.last_value:
            cleared = self._end_still(ts) or cleared
        how = self._clock.hour(ts)
        base = self.base
        if base.level is None:
            base.learn(ts, value, how)
            return AnomalyResult(0.0, None, None, None, cleared=cleared)
        expected = base.expected(how)
        scale = base.scale(how)
        z = (value - expected) / scale
        az = -z if z < 0 else z
        p = self.calibrator.tail(az)
        score = 1.0 - p
        warm = ts - self.first_ts >= self.config.warmup
        tracker = self.tracker
        low, high = self._range(expected, scale)
        cfg = self.config
        out = (cfg.low is not None and value < cfg.low) or (
            cfg.high is not None and value > cfg.high
        )
        kind = self._statistical_kind(z, p, value, warm and tracker.open is None)
        if out:
            kind, score = Kind.OUT_OF_RANGE, 1.0
        alert: Episode | None = None
        if tracker.open is not None:
            if tracker.open.kind not in (Kind.STUCK, Kind.DROPOUT):  # those end on a change
                abnormal = out or p < self._p_clear or abs(self.zfast) > FAST_ABNORMAL
                cleared = tracker.step(ts, abnormal) or cleared
        elif kind is not None and (warm or out) and tracker.can_alert(ts):
            alert = tracker.start(ts, kind, score=score, value=value, low=low, high=high)
            self.cpos = self.cneg = 0.0
        self._learn(ts, value, how, az, p)
        open_ep = tracker.open
        return AnomalyResult(
            score,
            open_ep.kind if open_ep is not None else kind,
            low,
            high,
            alert=alert,
            cleared=cleared,
            episode_id=None if open_ep is None else open_ep.id,
        )

    def _statistical_kind(self, z: float, p: float, value: float, armed: bool) -> Kind | None:
        zc = min(CUSUM_CLIP, max(-CUSUM_CLIP, z))
        self.zfast += 0.2 * (zc - self.zfast)
        self.zslow += SLOW_ALPHA * (zc - self.zslow)
        slow2 = self.zslow * self.zslow
        if self.tracker.open is None and slow2 < SLOW_OUTLIER * self.slow_ms:
            # Not while a change builds up: the wander it measures would hide it.
            self.wander_n += 1.0
            b = 1.0 / min(self.wander_n, SLOW_MEMORY)
            self.slow_ms += b * (slow2 - self.slow_ms)
            self.z_ms += b * (zc * zc - self.z_ms)
            ratio = self.slow_ms / (SLOW_WHITE * self.z_ms + 1e-12)
            self.wander = max(1.0, ratio)
        if p < self._p_alert:
            inside = self.env_low <= value <= self.env_high
            if not inside or p < self._p_alert * self.config.context_tail:
                return Kind.SPIKE if z > 0 else Kind.DROP
        if not (self.config.cusum and armed):
            return None
        self.cpos_n = self.cpos_n + 1.0 if self.cpos > 0.0 else 1.0
        self.cneg_n = self.cneg_n + 1.0 if self.cneg > 0.0 else 1.0
        self.cpos = max(0.0, self.cpos + zc - CUSUM_K)
        self.cneg = max(0.0, self.cneg - zc - CUSUM_K)
        h = self._cusum_h * self.wander
        if self.cpos > h or self.cneg > h:
            up = self.cpos > h
            total, n = (self.cpos, self.cpos_n) if up else (self.cneg, self.cneg_n)
            # A step keeps z level over the run; a drift's recent z is well above the run's mean.
            mean_z = total / n + CUSUM_K
            growing = abs(self.zfast) > DRIFT_RATIO * mean_z
            return Kind.DRIFT if growing or n > DRIFT_SAMPLES else Kind.LEVEL_SHIFT
        return None

    def _learn(self, ts: float, value: float, how: int, az: float, p: float) -> None:
        tracker = self.tracker
        if tracker.open is not None:
            weight = 0.0 if tracker.confirmed else EPISODE_WEIGHT
        else:
            weight = EPISODE_WEIGHT if p < self._p_clear else 1.0
        if weight > 0.0:
            self.base.learn(ts, value, how, weight)
        if weight == 1.0:
            self.env_low = min(self.env_low, value)
            self.env_high = max(self.env_high, value)
        settled = ts - (self.first_ts or ts) >= 0.5 * self.config.warmup
        if tracker.open is None and settled:
            # Not while the baseline settles (its first spreads are meaningless).
            self.calibrator.add(az)

    def _range(self, expected: float, scale: float) -> tuple[float, float]:
        self._since_refresh += 1
        if self._since_refresh >= RANGE_REFRESH:
            self._z_alert = self.calibrator.z_at(self._p_alert)
            self._since_refresh = 0
        half = self._z_alert * scale
        return expected - half, expected + half

    # -- time-based kinds -------------------------------------------------------------------

    def check(self, ts: float) -> AnomalyResult:
        """Time-based checks (stuck, dropout); call every few minutes, also without readings."""
        self._hourly(ts)
        tracker = self.tracker
        warm = self.first_ts is not None and ts - self.first_ts >= self.config.warmup
        alert: Episode | None = None
        score = 0.0
        kind: Kind | None = None
        if self.gap_since is not None:
            limit = self.gaps.limit(ts, self._clock, self._still_factor, GAP_FLOOR) or GAP_FLOOR
            run = ts - self.gap_since
            kind = Kind.DROPOUT if run > limit else None
        elif self.still_since is not None:
            limit = self.still.limit(ts, self._clock, self._still_factor, STILL_FLOOR) or math.inf
            # Resting at a habitual value (heater off, dark room) may last as long as it ever did.
            rest = self.rest.longest(self.base.last_value)
            limit = max(limit, self._still_factor * rest)
            run = ts - self.still_since
            kind = Kind.STUCK if run > limit else None
        if kind is not None:
            score = 1.0 - self._p_alert * limit / run
            if warm and tracker.can_alert(ts):
                alert = tracker.start(ts, kind, score=score, value=None, low=None, high=None)
        open_ep = tracker.open
        return AnomalyResult(
            score,
            open_ep.kind if open_ep is not None else kind,
            None,
            None,
            alert=alert,
            episode_id=None if open_ep is None else open_ep.id,
        )

    def _end_gap(self, ts: float) -> Episode | None:
        if self.gap_since is None:
            return None
        start, self.gap_since = self.gap_since, None
        ep = self.tracker.open
        ended = ep if ep is not None and ep.kind is Kind.DROPOUT else None
        # A confirmed episode stays out of what is normal; any other run teaches it.
        if ended is None or self.tracker.feedback.get(ended.id) != Feedback.CONFIRMED:
            self.gaps.observe(start, ts, self._clock)
        return None if ended is None else self.tracker.close(ts)

    def _end_still(self, ts: float) -> Episode | None:
        start, self.still_since = self.still_since, ts
        if start is None:
            return None
        ep = self.tracker.open
        ended = ep if ep is not None and ep.kind is Kind.STUCK else None
        # A confirmed episode stays out of what is normal; any other run teaches it.
        if ended is None or self.tracker.feedback.get(ended.id) != Feedback.CONFIRMED:
            self.still.observe(start, ts, self._clock)
            if ts - start >= STILL_FLOOR and self.base.last_value is not None:
                self.rest.observe(self.base.last_value, ts - start)
        return None if ended is None else self.tracker.close(ts)

    def _hourly(self, ts: float) -> None:
        hour = int(ts // 3600.0)
        if hour == self.last_hour:
            return
        self.last_hour = hour
        self.still.count_hour(ts, self._clock)
        self.gaps.count_hour(ts, self._clock)
        if hour // 24 != self.last_day:
            self.last_day = hour // 24
            self.still.close_day()
            self.gaps.close_day()
            self.rest.close_day(DAY_FADE)
            if self.env_high > self.env_low:  # slowly forget readings of long ago
                shrink = ENVELOPE_SHRINK * (self.env_high - self.env_low)
                self.env_low += shrink
                self.env_high -= shrink

    # -- feedback and state -----------------------------------------------------------------

    def mark(self, episode_id: str, verdict: Feedback) -> bool:
        """User feedback on an episode: a false alarm widens normal at its hour; True if known."""
        found = self.tracker.mark(episode_id, verdict)
        if found is None:
            return False
        kind, start = found
        if verdict is Feedback.FALSE_ALARM:
            how = self._clock.hour(start)
            if kind in (Kind.STUCK, Kind.DROPOUT):
                runs = self.still if kind == Kind.STUCK else self.gaps
                h = how % 24
                runs.longest[h] = max(runs.longest[h], STILL_FLOOR) * FALSE_ALARM_WIDEN
            elif kind != Kind.OUT_OF_RANGE:
                self.base.widen_hours(how, FALSE_ALARM_WIDEN)
            open_ep = self.tracker.open
            if (
                open_ep is not None
                and open_ep.id == episode_id
                and kind not in ("stuck", "dropout")
            ):
                self.tracker.close(start)  # no refractory penalty for the user's "all fine"
                self.tracker.quiet_until = 0.0
        return True

    def to_json(self) -> dict[str, Any]:
        """All learned state as plain JSON."""
        return {
            "version": STATE_VERSION,
            "sensitivity": self._sensitivity,
            "base": self.base.to_json(),
            "calibrator": self.calibrator.to_json(),
            "still": self.still.to_json(),
            "gaps": self.gaps.to_json(),
            "tracker": self.tracker.to_json(),
            "first_ts": self.first_ts,
            "still_since": self.still_since,
            "gap_since": self.gap_since,
            "cusum": [self.cpos, self.cneg, self.cpos_n, self.cneg_n, self.zfast],
            "wander": [self.zslow, self.slow_ms, self.z_ms, self.wander_n, self.wander],
            "rest": self.rest.to_json(),
            "envelope": [_finite(self.env_low), _finite(self.env_high)],
        }

    @classmethod
    def from_json(cls, config: SensorConfig, data: dict[str, Any]) -> SensorDetector:
        """Restore state saved by ``to_json`` for ``config``; ``ValueError`` on another version."""
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported anomaly state version {data.get('version')}")
        det = cls(config)
        det.sensitivity = float(data["sensitivity"])
        det.base = SeasonalBaseline.from_json(data["base"])
        det.calibrator = TailCalibrator.from_json(data["calibrator"], det.calibrator.half_life)
        det.still = RunLengths.from_json(data["still"])
        det.gaps = RunLengths.from_json(data["gaps"])
        det.tracker = EpisodeTracker.from_json(config.key, data["tracker"])
        det.first_ts, det.still_since, det.gap_since = (
            None if data[k] is None else float(data[k])
            for k in ("first_ts", "still_since", "gap_since")
        )
        det.cpos, det.cneg, det.cpos_n, det.cneg_n, det.zfast = (float(x) for x in data["cusum"])
        det.zslow, det.slow_ms, det.z_ms, det.wander_n, det.wander = (
            float(x) for x in data["wander"]
        )
        det.rest = RestValues.from_json(data["rest"])
        low, high = data["envelope"]
        det.env_low = math.inf if low is None else float(low)
        det.env_high = -math.inf if high is None else float(high)
        return det


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None
