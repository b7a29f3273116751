"""The hand-inlined ``SensorDetector.update`` gives bit for bit what the plain method calls give.

``ReferenceDetector`` is the straightforward version of ``update`` (before the speed pass): it
asks ``SeasonalBaseline``/``TailCalibrator``/``HourClock`` one call at a time and learns with the
original ``SeasonalBaseline.learn``. Both run over a synthetic series that exercises spikes,
drops, a level shift, stuck readings, dropouts, out-of-range readings and feedback.
"""

import json
import math

import numpy as np

from custom_components.iot_ml.engine.anomaly import sensor as sd
from custom_components.iot_ml.engine.anomaly.baseline import (
    DAY_MEMORY,
    SPREAD_MEMORY,
    WEEK_MEMORY,
    WEEK_SHRINK,
    SeasonalBaseline,
)
from custom_components.iot_ml.engine.anomaly.sensor import SensorConfig, SensorDetector
from custom_components.iot_ml.engine.anomaly.types import AnomalyResult, Episode, Feedback, Kind

T0 = 1_767_571_200.0  # 2026-01-05 00:00 UTC, a Monday


def reference_learn(
    b: SeasonalBaseline, ts: float, x: float, how: int, weight: float = 1.0
) -> None:
    """``SeasonalBaseline.learn`` as it was written before the speed pass."""
    if b.last_value is not None and x != b.last_value:
        b.resolution = min(b.resolution, abs(x - b.last_value))
    b.last_value = x
    if b.level is None:
        b.level, b.last_ts = x, ts
        return
    dt = max(0.0, ts - (b.last_ts or ts))
    b.last_ts = ts
    h = how % 24
    flat = x - b.level
    season = b.day[h] + b.week_n[how] / (b.week_n[how] + WEEK_SHRINK) * (b.week[how] - b.day[h])
    resid = x - b.level - b.offset(how)
    b.samples += 1
    a = weight / min(b.samples, SPREAD_MEMORY)
    b.err_flat += a * (abs(flat) - b.err_flat)
    b.err_seasonal += a * (abs(flat - season) - b.err_seasonal)
    b.spread += a * (abs(resid) - b.spread)
    b.hour_n[h] += weight
    b.hour_spread[h] += weight / min(b.hour_n[h], DAY_MEMORY) * (abs(resid) - b.hour_spread[h])
    b.day_n[h] += weight
    b.day[h] += weight / min(b.day_n[h], DAY_MEMORY) * (flat - b.day[h])
    b.week_n[how] += weight
    b.week[how] += weight / min(b.week_n[how], WEEK_MEMORY) * (flat - b.week[how])
    alpha = weight * -math.expm1(-dt / b.level_tau) if dt > 0 else 0.0
    b.level += alpha * (x - b.offset(how) - b.level)


class ReferenceDetector(SensorDetector):
    """``SensorDetector`` with the plain, one-call-at-a-time ``update``."""

    def update(self, ts: float, value: float | None) -> AnomalyResult:
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
            reference_learn(base, ts, value, how)
            return AnomalyResult(0.0, None, None, None, cleared=cleared)
        expected = base.expected(how)
        scale = base.scale(how)
        z = (value - expected) / scale
        az = -z if z < 0 else z
        p = self.calibrator.tail(az)
        score = 1.0 - p
        warm = ts - self.first_ts >= self.config.warmup
        tracker = self.tracker
        self._since_refresh += 1
        if self._since_refresh >= sd.RANGE_REFRESH:
            self._z_alert = self.calibrator.z_at(self._p_alert)
            self._since_refresh = 0
        low, high = expected - self._z_alert * scale, expected + self._z_alert * scale
        cfg = self.config
        out = (cfg.low is not None and value < cfg.low) or (
            cfg.high is not None and value > cfg.high
        )
        kind = self._kind(z, p, value, warm and tracker.open is None)
        if out:
            kind, score = Kind.OUT_OF_RANGE, 1.0
        alert: Episode | None = None
        if tracker.open is not None:
            if tracker.open.kind not in (Kind.STUCK, Kind.DROPOUT):
                abnormal = out or p < self._p_clear or abs(self.zfast) > sd.FAST_ABNORMAL
                cleared = tracker.step(ts, abnormal) or cleared
        elif kind is not None and (warm or out) and tracker.can_alert(ts):
            alert = tracker.start(ts, kind, score=score, value=value, low=low, high=high)
            self.cpos = self.cneg = 0.0
        if tracker.open is not None:
            weight = 0.0 if tracker.confirmed else sd.EPISODE_WEIGHT
        else:
            weight = sd.EPISODE_WEIGHT if p < self._p_clear else 1.0
        if weight > 0.0:
            reference_learn(base, ts, value, how, weight)
        if weight == 1.0:
            self.env_low = min(self.env_low, value)
            self.env_high = max(self.env_high, value)
        if tracker.open is None and ts - (self.first_ts or ts) >= 0.5 * self.config.warmup:
            self.calibrator.add(az)
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

    def _kind(self, z: float, p: float, value: float, armed: bool) -> Kind | None:
        zc = min(sd.CUSUM_CLIP, max(-sd.CUSUM_CLIP, z))
        self.zfast += 0.2 * (zc - self.zfast)
        self.zslow += sd.SLOW_ALPHA * (zc - self.zslow)
        slow2 = self.zslow * self.zslow
        if self.tracker.open is None and slow2 < sd.SLOW_OUTLIER * self.slow_ms:
            self.wander_n += 1.0
            b = 1.0 / min(self.wander_n, sd.SLOW_MEMORY)
            self.slow_ms += b * (slow2 - self.slow_ms)
            self.z_ms += b * (zc * zc - self.z_ms)
            self.wander = max(1.0, self.slow_ms / (sd.SLOW_WHITE * self.z_ms + 1e-12))
        if p < self._p_alert:
            inside = self.env_low <= value <= self.env_high
            if not inside or p < self._p_alert * self.config.context_tail:
                return Kind.SPIKE if z > 0 else Kind.DROP
        if not (self.config.cusum and armed):
            return None
        self.cpos_n = self.cpos_n + 1.0 if self.cpos > 0.0 else 1.0
        self.cneg_n = self.cneg_n + 1.0 if self.cneg > 0.0 else 1.0
        self.cpos = max(0.0, self.cpos + zc - sd.CUSUM_K)
        self.cneg = max(0.0, self.cneg - zc - sd.CUSUM_K)
        h = self._cusum_h * self.wander
        if self.cpos > h or self.cneg > h:
            total, n = (self.cpos, self.cpos_n) if self.cpos > h else (self.cneg, self.cneg_n)
            growing = abs(self.zfast) > sd.DRIFT_RATIO * (total / n + sd.CUSUM_K)
            return Kind.DRIFT if growing or n > sd.DRIFT_SAMPLES else Kind.LEVEL_SHIFT
        return None


def series(seed: int) -> list[tuple[float, float | None]]:
    """Ten days of a seasonal reading with every kind of trouble in it."""
    rng = np.random.default_rng(seed)
    out: list[tuple[float, float | None]] = []
    ts = T0
    stuck: float | None = None
    for i in range(10 * 288):
        ts += 300.0 * (20.0 if rng.random() < 0.01 else 1.0) + float(rng.integers(-20, 20))
        v: float | None = round(20 + 2 * math.sin(2 * math.pi * ts / 86400) + rng.normal(0, 0.3), 1)
        if i % 811 == 400:
            v = 35.0  # spike
        if i % 907 == 500:
            v = 60.0  # out of range
        if 2100 <= i < 2250 and v is not None:
            v += 4.0  # level shift
        if i == 2400:
            stuck = v
        if 2400 < i < 2500:
            v = stuck  # stuck at its last reading
        if 2600 <= i < 2640:
            v = None  # dropout
        if rng.random() < 0.02:
            v = None
        out.append((ts, v))
    return out


def test_inlined_update_matches_reference() -> None:
    kinds: set[Kind] = set()
    for seed, tz in ((1, "Europe/Berlin"), (2, "Asia/Kolkata")):
        config = SensorConfig("sensor.t", low=0.0, high=50.0, tz=tz, warmup=86400.0)
        fast, ref = SensorDetector(config), ReferenceDetector(config)
        for i, (ts, value) in enumerate(series(seed)):
            a, b = fast.update(ts, value), ref.update(ts, value)
            assert a == b, (i, a, b)
            if i % 3 == 0 and a.alert is None:
                a, b = fast.check(ts + 120.0), ref.check(ts + 120.0)
                assert a == b, (i, a, b)
            if a.alert is not None:
                kinds.add(a.alert.kind)
                if i % 2:
                    verdict = Feedback.FALSE_ALARM if i % 4 == 1 else Feedback.CONFIRMED
                    assert fast.mark(a.alert.id, verdict) == ref.mark(a.alert.id, verdict)
        assert json.dumps(fast.to_json()) == json.dumps(ref.to_json())
    assert {Kind.SPIKE, Kind.OUT_OF_RANGE, Kind.STUCK, Kind.DROPOUT} <= kinds
