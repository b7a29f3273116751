"""Per-sensor anomaly detectors: each fires on its fault and stays quiet on clean seasonal data."""

import json
import math

import numpy as np
import pytest

from custom_components.iot_ml.engine.anomaly.sensor import SensorConfig, SensorDetector
from custom_components.iot_ml.engine.anomaly.types import (
    AnomalyResult,
    Feedback,
    Kind,
    alert_tail,
    sensitivity_value,
)

T0 = 1_767_571_200.0  # 2026-01-05 00:00 UTC, a Monday
STEP = 300.0


def clean(ts: float, rng: np.random.Generator) -> float:
    """A room temperature with a daily cycle and sensor noise."""
    return round(20.0 + 1.5 * math.sin(2 * math.pi * ts / 86400.0) + rng.normal(0, 0.15), 2)


def learned(days: int = 10, **config: float) -> tuple[SensorDetector, list[AnomalyResult], float]:
    """A detector fed ``days`` of clean readings; its results and the next timestamp."""
    det = SensorDetector(SensorConfig("sensor.t", low=-20.0, high=50.0, **config))  # type: ignore[arg-type]
    rng = np.random.default_rng(1)
    results = []
    ts = T0
    for _ in range(days * 288):
        results.append(det.update(ts, clean(ts, rng)))
        results.append(det.check(ts))
        ts += STEP
    return det, results, ts


def feed(det: SensorDetector, ts: float, values: list[float | None]) -> list[AnomalyResult]:
    out = []
    for v in values:
        out.append(det.update(ts, v))
        out.append(det.check(ts))
        ts += STEP
    return out


def alerts(results: list[AnomalyResult]) -> list[Kind]:
    return [r.alert.kind for r in results if r.alert is not None]


@pytest.fixture(scope="module")
def trained() -> tuple[str, float]:
    det, results, ts = learned()
    assert alerts(results) == []
    return json.dumps(det.to_json()), ts


def restore(trained: tuple[str, float]) -> tuple[SensorDetector, float]:
    state, ts = trained
    return SensorDetector.from_json(
        SensorConfig("sensor.t", low=-20.0, high=50.0), json.loads(state)
    ), ts


def test_quiet_on_clean_seasonal_data(trained: tuple[str, float]) -> None:
    det, ts = restore(trained)
    rng = np.random.default_rng(7)
    results = feed(det, ts, [clean(ts + i * STEP, rng) for i in range(7 * 288)])
    assert alerts(results) == []
    scores = [r.score for r in results if r.expected_low is not None]
    assert np.median(scores) < 0.9


def test_spike_and_drop_alert_once_then_clear(trained: tuple[str, float]) -> None:
    det, ts = restore(trained)
    rng = np.random.default_rng(2)
    values: list[float | None] = [clean(ts + i * STEP, rng) for i in range(40)]
    values[5] = 35.0
    values[6] = 34.0  # the same episode: no second alert
    results = feed(det, ts, values)
    assert alerts(results) == [Kind.SPIKE]
    first = next(r for r in results if r.alert is not None)
    assert first.alert is not None and first.alert.score > 1 - alert_tail(0.5)
    assert first.expected_low is not None and first.expected_high is not None
    assert first.expected_low < 21.6 < first.expected_high + 1.0
    assert any(r.cleared is not None for r in results)
    det2, _ = restore(trained)
    values[5] = values[6] = 5.0
    assert alerts(feed(det2, ts, values)) == [Kind.DROP]


def test_refractory_suppresses_a_second_episode(trained: tuple[str, float]) -> None:
    det, ts = restore(trained)
    rng = np.random.default_rng(3)
    values: list[float | None] = [clean(ts + i * STEP, rng) for i in range(48)]
    values[2] = values[8] = 35.0  # 30 min apart: the second falls in the refractory hour
    # > 1 h after the first cleared: a new episode. Larger than the two before, which the
    # tail has learned from: a sensor that often reads 35 makes 35 less surprising.
    values[40] = 45.0
    assert alerts(feed(det, ts, values)) == [Kind.SPIKE, Kind.SPIKE]


def test_level_shift_and_drift(trained: tuple[str, float]) -> None:
    det, ts = restore(trained)
    rng = np.random.default_rng(4)
    shifted = [clean(ts + i * STEP, rng) + 0.4 for i in range(288)]
    results = feed(det, ts, shifted)
    # A step of ~2.5 typical deviations: the CUSUM, not the spike test, finds it within a day
    # (its alarm level is raised by how much this seasonal residual wanders: ~1.7x).
    # One episode; a lone reading of the shifted noise may open it as a spike first.
    assert alerts(results) in ([Kind.LEVEL_SHIFT], [Kind.SPIKE])
    assert results[-1].episode_id is not None  # and the episode holds while the step does
    det, ts = restore(trained)
    rng = np.random.default_rng(4)
    drift = [clean(ts + i * STEP, rng) + 0.3 * i / 288 for i in range(3 * 288)]
    assert alerts(feed(det, ts, drift))[:1] == [Kind.DRIFT]
    # The simulator's drift (0.5 °C/day) is found within two days, though noise on top of the
    # growing offset may make the first alert a spike rather than a drift.
    det, ts = restore(trained)
    drift = [clean(ts + i * STEP, rng) + 0.5 * i / 288 for i in range(2 * 288)]
    assert alerts(feed(det, ts, drift))[:1] in ([Kind.DRIFT], [Kind.SPIKE])


def test_stuck_dropout_and_out_of_range(trained: tuple[str, float]) -> None:
    det, ts = restore(trained)
    results = feed(det, ts, [clean(ts, np.random.default_rng(0))] * 72)  # same reading, 6 h
    assert alerts(results) == [Kind.STUCK]
    assert feed(det, ts + 72 * STEP, [19.0])[0].cleared is not None
    det, ts = restore(trained)
    assert alerts(feed(det, ts, [None] * 36)) == [Kind.DROPOUT]
    fresh = SensorDetector(SensorConfig("sensor.t", high=50.0))  # out of range needs no learning
    assert alerts(feed(fresh, T0, [20.0, 20.1, 85.0])) == [Kind.OUT_OF_RANGE]


def test_false_alarm_widens_normal_at_that_hour(trained: tuple[str, float]) -> None:
    det, ts = restore(trained)
    how = det._clock.hour(ts)
    rng = np.random.default_rng(5)
    values: list[float | None] = [clean(ts + i * STEP, rng) for i in range(4)]
    values[1] = 35.0
    episode = next(r.alert for r in feed(det, ts, values) if r.alert is not None)
    before, far = det.base.scale(how), det.base.scale(how + 12)
    assert det.mark("sensor.t:spike:0", Feedback.FALSE_ALARM) is False
    assert det.mark(episode.id, Feedback.FALSE_ALARM) is True
    assert det.base.scale(how) == pytest.approx(1.5 * before, rel=0.05)
    assert det.base.scale(how + 12) == far  # other hours keep their normal
    assert det.tracker.open is None  # the user's "all fine" ends the episode at once


def test_confirmed_anomaly_is_kept_out_of_the_baseline(trained: tuple[str, float]) -> None:
    levels = {}
    for verdict in (None, Feedback.CONFIRMED):
        det, ts = restore(trained)
        results = feed(det, ts, [26.0])
        level0 = det.base.level
        episode = results[0].alert
        assert episode is not None and episode.kind is Kind.SPIKE
        if verdict is not None:
            det.mark(episode.id, verdict)
        feed(det, ts + STEP, [26.0] * 24)
        assert level0 is not None and det.base.level is not None
        levels[verdict] = det.base.level - level0
    assert levels[None] > 0.02  # unconfirmed: the baseline slowly follows a lasting change
    assert abs(levels[Feedback.CONFIRMED]) < 1e-9


def test_json_round_trip_gives_identical_results(trained: tuple[str, float]) -> None:
    a, ts = restore(trained)
    b = SensorDetector.from_json(a.config, json.loads(json.dumps(a.to_json())))
    rng = np.random.default_rng(6)
    values: list[float | None] = [clean(ts + i * STEP, rng) for i in range(50)]
    values[10] = 40.0
    assert feed(a, ts, values) == feed(b, ts, values)
    with pytest.raises(ValueError, match="version"):
        SensorDetector.from_json(a.config, {**a.to_json(), "version": 99})


def test_sensitivity_names_and_numbers() -> None:
    assert sensitivity_value("low") < sensitivity_value("medium") < sensitivity_value("high")
    assert sensitivity_value(7) == 1.0
    assert alert_tail(0.5) == pytest.approx(1e-4)
    with pytest.raises(ValueError, match="unknown"):
        sensitivity_value("extreme")


def night_flat(days: range, det: SensorDetector, rng: np.random.Generator) -> list[AnomalyResult]:
    """A lamp/heater-like sensor: 0 from dusk (16-18 h, varying) to 07-08 h, busy in the day.

    Readings arrive only when they change, as HA reports them; checks run every 5 minutes.
    """
    out = []
    for day in days:
        dark, light = 18.0 - rng.uniform(0.0, 2.5), 7.0 + rng.uniform(0.0, 1.0)
        for k in range(288):
            ts = T0 + day * 86400.0 + k * STEP
            value = round(300.0 + 80.0 * rng.normal()) if light <= k / 12 < dark else 0.0
            if value != det.base.last_value:
                out.append(det.update(ts, value))
            out.append(det.check(ts))
    return out


def test_habitually_flat_at_night_is_not_stuck_but_an_unusual_value_is() -> None:
    det = SensorDetector(SensorConfig("sensor.lux", low=0.0))
    rng = np.random.default_rng(11)
    night_flat(range(21), det, rng)
    assert det.rest.longest(0.0) > 10 * 3600.0  # 0 is learned as a habitual resting value
    later = night_flat(range(21, 35), det, rng)
    assert [k for k in alerts(later) if k is Kind.STUCK] == []
    # Stuck at a daytime value for 6 hours: that value never rests, so it alerts.
    ts = T0 + 35 * 86400.0 + 9 * 3600.0
    results = feed(det, ts, [312.0] * 72)
    assert alerts(results) == [Kind.STUCK]
