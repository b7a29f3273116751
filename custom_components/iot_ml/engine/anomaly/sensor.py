"""One watched sensor: spikes/drops, level shifts and drift, stuck, dropout and out-of-range.

Feed every reading with ``update(ts, value)`` (``None`` while unavailable/unknown) and call
``check(ts)`` periodically (e.g. every 5 minutes) so time-based kinds (stuck, dropout) fire even
when nothing is reported. Scores are ``1 - tail probability`` against this sensor's own history
at this hour of week, so a threshold means the same on any sensor.
"""

# ruff: noqa: PLR1730, FURB136 -- hot path: comparisons instead of min()/max() calls (same results)

from dataclasses import dataclass
import math

from ..core.state import FieldType, JsonObject, read_state, write_state
from .baseline import HOUR_SPREAD_SHRINK, WEEK_SHRINK, SeasonalBaseline
from .episodes import EpisodeTracker
from .stats import BINS, PRIOR_WEIGHT, HourClock, RestValues, RunLengths, TailCalibrator
from .types import AnomalyResult, Episode, Feedback, Kind, alert_tail

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
_TIMED = (Kind.STUCK, Kind.DROPOUT)  # kinds that end on a change, not on a quiet spell
_INF = math.inf
_LAST_BIN = BINS - 1
_isnan, _log1p, _exp = math.isnan, math.log1p, math.exp
_NOTHING = AnomalyResult(0.0, None, None, None)  # a check that found nothing (immutable)


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
        self._how = 0  # hour of week of times in [_how_lo, _how_hi) (cached per hour)
        self._how_lo = self._how_hi = 0.0
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
        # The hot path: one call per reading of every watched sensor. The baseline's expected
        # value and spread, the tail probability, the CUSUM and the learning are written out here
        # with locals (same arithmetic as ``SeasonalBaseline``/``TailCalibrator``, same order, so
        # the results are bit for bit those of the plain method calls).
        if int(ts // 3600.0) != self.last_hour:
            self._hourly(ts)
        first_ts = self.first_ts
        if first_ts is None:
            first_ts = self.first_ts = ts
        if value is None or _isnan(value):
            if self.gap_since is None:
                self.gap_since = ts
            return self.check(ts)
        cleared = None if self.gap_since is None else self._end_gap(ts)
        base = self.base
        tracker = self.tracker
        still_since = self.still_since
        if still_since is None or value != base.last_value:
            if still_since is None or tracker.open is not None:
                cleared = self._end_still(ts) or cleared
            else:  # a run of stillness ended, no episode open: it teaches what is normal
                self.still_since = ts
                run = ts - still_since
                still = self.still
                if run <= still.floor:
                    pass  # cannot raise any hour's record (the common, short run)
                elif (
                    self._how_lo <= still_since < self._how_hi
                    and ts <= (still_since // 3600.0 + 1.0) * 3600.0
                ):
                    # Within one clock hour that began at the cached hour of week: the one
                    # record ``RunLengths.observe`` would raise.
                    longest, h = still.longest, self._how % 24
                    if run > longest[h]:
                        longest[h] = run
                else:
                    still.observe(still_since, ts, self._clock)
                if run >= STILL_FLOOR and base.last_value is not None:
                    self.rest.observe(base.last_value, run)
        if self._how_lo <= ts < self._how_hi:
            how = self._how
        else:
            how, self._how_lo, self._how_hi = self._clock.span(ts)
            self._how = how
        level = base.level
        if level is None:
            base.learn(ts, value, how)
            return AnomalyResult(0.0, None, None, None, None, cleared, None)
        # Expected value and scale (``SeasonalBaseline.expected``/``scale``).
        h = how % 24
        day_h = base.day[h]
        n = base.week_n[how]
        season = day_h + n / (n + WEEK_SHRINK) * (base.week[how] - day_h)
        offset = 0.0 if base.err_seasonal >= 0.9 * base.err_flat else season
        expected = (level or 0.0) + offset
        n = base.hour_n[h]
        scale = (n * base.hour_spread[h] + HOUR_SPREAD_SHRINK * base.spread) / (
            n + HOUR_SPREAD_SHRINK
        )
        resolution = base.resolution
        floor = 0.5 * resolution if resolution < _INF else 1e-9
        if floor > scale:
            scale = floor
        if scale < 1e-9:
            scale = 1e-9
        scale *= base.widen[h]
        z = (value - expected) / scale
        az = -z if z < 0 else z
        # Tail probability (``TailCalibrator.tail``).
        cal = self.calibrator
        b = int(8.0 * _log1p(az))
        if b > _LAST_BIN:
            b = _LAST_BIN
        counts = cal.counts
        unit = cal.unit
        p = ((sum(counts[b + 1 :]) + 0.5 * counts[b]) / unit + PRIOR_WEIGHT * _exp(-az)) / (
            cal.total / unit + PRIOR_WEIGHT
        )
        score = 1.0 - p
        cfg = self.config
        warmup = cfg.warmup
        warm = ts - first_ts >= warmup
        # Expected range (the alert's z is refreshed now and then).
        since = self._since_refresh + 1
        if since >= RANGE_REFRESH:
            self._z_alert = cal.z_at(self._p_alert)
            since = 0
        self._since_refresh = since
        half = self._z_alert * scale
        low = expected - half
        high = expected + half
        limit = cfg.low
        out = limit is not None and value < limit
        if not out:
            limit = cfg.high
            out = limit is not None and value > limit
        open_ep = tracker.open
        # Spikes/drops, level shifts and drift.
        zc = z if z > -CUSUM_CLIP else -CUSUM_CLIP
        if not zc < CUSUM_CLIP:
            zc = CUSUM_CLIP
        zfast = self.zfast = self.zfast + 0.2 * (zc - self.zfast)
        zslow = self.zslow = self.zslow + SLOW_ALPHA * (zc - self.zslow)
        slow2 = zslow * zslow
        if open_ep is None and slow2 < SLOW_OUTLIER * self.slow_ms:
            # Not while a change builds up: the wander it measures would hide it.
            wander_n = self.wander_n = self.wander_n + 1.0
            rate = 1.0 / (SLOW_MEMORY if wander_n > SLOW_MEMORY else wander_n)
            slow_ms = self.slow_ms = self.slow_ms + rate * (slow2 - self.slow_ms)
            z_ms = self.z_ms = self.z_ms + rate * (zc * zc - self.z_ms)
            ratio = slow_ms / (SLOW_WHITE * z_ms + 1e-12)
            self.wander = ratio if ratio > 1.0 else 1.0
        kind: Kind | None = None
        p_alert = self._p_alert
        if p < p_alert and (
            not (self.env_low <= value <= self.env_high) or p < p_alert * cfg.context_tail
        ):
            kind = Kind.SPIKE if z > 0 else Kind.DROP
        elif warm and open_ep is None and cfg.cusum:
            kind = self._cusum(zc, zfast)
        if out:
            kind, score = Kind.OUT_OF_RANGE, 1.0
        alert: Episode | None = None
        if open_ep is not None:
            if open_ep.kind not in _TIMED:  # those end on a change
                fast = self.zfast
                abnormal = out or p < self._p_clear or (-fast if fast < 0 else fast) > FAST_ABNORMAL
                cleared = tracker.step(ts, abnormal) or cleared
                open_ep = tracker.open
        elif kind is not None and (warm or out) and ts >= tracker.quiet_until:
            alert = tracker.start(ts, kind, score=score, value=value, low=low, high=high)
            self.cpos = self.cneg = 0.0
            open_ep = tracker.open
        # Learning (``_learn``): episodes teach little, confirmed ones nothing.
        if open_ep is not None:
            if not tracker.confirmed:
                base.learn_at(ts, value, how, season, offset, EPISODE_WEIGHT)
        else:
            weight = EPISODE_WEIGHT if p < self._p_clear else 1.0
            base.learn_at(ts, value, how, season, offset, weight)
            if weight == 1.0:
                if value < self.env_low:
                    self.env_low = value
                if value > self.env_high:
                    self.env_high = value
            if ts - (first_ts or ts) >= 0.5 * warmup:
                # Not while the baseline settles (its first spreads are meaningless).
                cal.add_bin(b)
            return AnomalyResult(score, kind, low, high, alert, cleared, None)
        return AnomalyResult(score, open_ep.kind, low, high, alert, cleared, open_ep.id)

    def _cusum(self, zc: float, zfast: float) -> Kind | None:
        """One CUSUM step on the clipped z; a level shift or drift once a sum passes its level."""
        cpos, cneg = self.cpos, self.cneg
        cpos_n = self.cpos_n = self.cpos_n + 1.0 if cpos > 0.0 else 1.0
        cneg_n = self.cneg_n = self.cneg_n + 1.0 if cneg > 0.0 else 1.0
        cpos = cpos + zc - CUSUM_K
        if not cpos > 0.0:
            cpos = 0.0
        cneg = cneg - zc - CUSUM_K
        if not cneg > 0.0:
            cneg = 0.0
        self.cpos, self.cneg = cpos, cneg
        h = self._cusum_h * self.wander
        if cpos > h or cneg > h:
            up = cpos > h
            total, n = (cpos, cpos_n) if up else (cneg, cneg_n)
            # A step keeps z level over the run; a drift's recent z is well above the run's mean.
            mean_z = total / n + CUSUM_K
            growing = abs(zfast) > DRIFT_RATIO * mean_z
            return Kind.DRIFT if growing or n > DRIFT_SAMPLES else Kind.LEVEL_SHIFT
        return None

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
        if open_ep is None:
            return _NOTHING if kind is None else AnomalyResult(score, kind, None, None, alert)
        return AnomalyResult(score, open_ep.kind, None, None, alert, None, open_ep.id)

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

    @property
    def open_episodes(self) -> tuple[Episode, ...]:
        """The open episode, if any (one at a time)."""
        open_ep = self.tracker.open
        return () if open_ep is None else (open_ep,)

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
            if open_ep is not None and open_ep.id == episode_id and kind not in _TIMED:
                self.tracker.close(start)  # no refractory penalty for the user's "all fine"
                self.tracker.quiet_until = 0.0
        return True

    def to_json(self) -> JsonObject:
        """All learned state as plain JSON."""
        return write_state(
            STATE_VERSION,
            sensitivity=self._sensitivity,
            base=self.base.to_json(),
            calibrator=self.calibrator.to_json(),
            still=self.still.to_json(),
            gaps=self.gaps.to_json(),
            tracker=self.tracker.to_json(),
            first_ts=self.first_ts,
            still_since=self.still_since,
            gap_since=self.gap_since,
            cusum=[self.cpos, self.cneg, self.cpos_n, self.cneg_n, self.zfast],
            wander=[self.zslow, self.slow_ms, self.z_ms, self.wander_n, self.wander],
            rest=self.rest.to_json(),
            envelope=[_finite(self.env_low), _finite(self.env_high)],
        )

    @classmethod
    def from_json(cls, config: SensorConfig, data: JsonObject) -> SensorDetector:
        """Restore state saved by ``to_json`` for ``config``; ``ValueError`` on another version
        or a malformed field."""
        data = read_state(data, "sensor anomaly state", STATE_VERSION, _FIELDS)
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


_FIELDS: dict[str, FieldType] = {
    "sensitivity": float,
    "base": dict,
    "calibrator": dict,
    "still": dict,
    "gaps": dict,
    "tracker": dict,
    "first_ts": (float, None),
    "still_since": (float, None),
    "gap_since": (float, None),
    "cusum": list,
    "wander": list,
    "rest": list,
    "envelope": list,
}


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None
