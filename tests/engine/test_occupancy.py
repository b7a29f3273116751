"""Occupancy engine: fusion, routine chain, forecasts, JSON state."""

import json
import math

import numpy as np
import pytest

from custom_components.iot_ml.engine.core.grid import SLOTS_PER_DAY, SLOTS_PER_HOUR
from custom_components.iot_ml.engine.core.timebase import hour_of_week
from custom_components.iot_ml.engine.occupancy.fusion import (
    ChannelFeature,
    FeatureKind,
    FusionModel,
    fit_fusion,
    fit_logistic,
    hmm_posterior,
    hold,
)
from custom_components.iot_ml.engine.occupancy.routine import (
    RoutineModel,
    day_starts,
    fit_routine,
    next_crossing,
    rolling_backtest,
    score,
)
from custom_components.iot_ml.engine.occupancy.zone import (
    OccupancyForecast,
    OccupancyModel,
    fit_occupancy,
    forecast_basis,
)

TZ = "UTC"
# 2024-01-01 00:00 UTC was a Monday: slot of it.
MONDAY = 1704067200 // 300


def weekly_truth(rng: np.random.Generator, weeks: int, jitter: int = 2) -> np.ndarray:
    """Home except weekdays 08:00..17:30 (+- jitter slots); weekends home."""
    occ = np.ones(weeks * 7 * SLOTS_PER_DAY)
    for day in range(weeks * 7):
        if day % 7 >= 5:
            continue
        leave = day * SLOTS_PER_DAY + 8 * SLOTS_PER_HOUR + int(rng.integers(-jitter, jitter + 1))
        back = (
            day * SLOTS_PER_DAY + 17 * SLOTS_PER_HOUR + 6 + int(rng.integers(-jitter, jitter + 1))
        )
        occ[leave:back] = 0
    return occ


def sensors(rng: np.random.Generator, occ: np.ndarray) -> dict[str, np.ndarray]:
    """A reliable motion sensor, an unreliable one, and a CO2 level that follows occupancy."""
    n = len(occ)
    good = np.where(occ > 0, rng.random(n) < 0.6, rng.random(n) < 0.01) * rng.uniform(0.2, 1, n)
    bad = np.where(occ > 0, rng.random(n) < 0.3, rng.random(n) < 0.2) * rng.uniform(0.2, 1, n)
    co2 = 400 + 300 * np.convolve(occ, np.ones(6) / 6)[:n] + rng.normal(0, 20, n)
    return {"good": good, "bad": bad, "co2": co2}


KINDS = {"good": FeatureKind.BINARY, "bad": FeatureKind.BINARY, "co2": FeatureKind.NUMERIC}


def weight(model: FusionModel, name: str) -> float:
    """Summed logistic weight of a channel's columns (how much it moves the log-odds)."""
    i = 0
    for c in model.channels:
        if c.name == name:
            return float(model.coef[i : i + c.width].sum())
        i += c.width
    raise KeyError(name)


def test_logistic_matches_sklearn() -> None:
    """Our IRLS L2 logistic regression equals scikit-learn's on the same objective."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(800, 4))
    y = (x @ [1.5, -2.0, 0.3, 0.0] + 0.5 + rng.logistic(size=800) > 0).astype(float)
    coef, intercept = fit_logistic(x, y, l2=2.0)
    ref = LogisticRegression(C=0.5, tol=1e-12, max_iter=10_000).fit(x, y)
    np.testing.assert_allclose(coef, ref.coef_[0], atol=1e-5)
    assert intercept == pytest.approx(ref.intercept_[0], abs=1e-5)
    ours = ((x @ coef + intercept) > 0) == y
    assert ours.mean() == pytest.approx(ref.score(x, y), abs=1e-9)


def test_supervised_fusion_weighs_the_reliable_sensor() -> None:
    """With labels, the reliable motion sensor weighs more than the unreliable one."""
    rng = np.random.default_rng(1)
    occ = weekly_truth(rng, 2)
    data = sensors(rng, occ)
    model = fit_fusion(data, KINDS, occ)
    assert weight(model, "good") > weight(model, "bad") + 1.0
    acc = np.mean((model.predict(data) >= 0.5) == occ)
    assert acc > 0.9


def test_self_trained_fusion_finds_occupancy() -> None:
    """Without labels (HMM EM, then the fusion fitted on its soft labels, as a zone trains) the
    same ranking is learned and occupancy found."""
    rng = np.random.default_rng(2)
    occ = weekly_truth(rng, 2)
    data = sensors(rng, occ)
    data["good"][100:110] = np.nan  # gaps are tolerated
    q = hmm_posterior({k: data[k] for k in ("good", "bad")})
    assert np.mean((q >= 0.5) == occ) > 0.9
    model = fit_occupancy(data, KINDS)
    assert weight(model.fusion, "good") > weight(model.fusion, "bad")
    assert np.mean((model.detect(data) >= 0.5) == occ) > 0.9
    only_bad = hmm_posterior({"x": np.zeros(50)})  # an always-off channel: nothing to find
    assert only_bad.shape == (50,)
    with pytest.raises(ValueError, match="binary"):
        hmm_posterior({})
    with pytest.raises(ValueError, match="binary"):
        fit_occupancy({"co2": data["co2"]}, {"co2": FeatureKind.NUMERIC})


def test_hold_and_features() -> None:
    """Hold decays and keeps maxima; unknown kinds are rejected."""
    np.testing.assert_allclose(hold(np.array([1.0, np.nan, 0.0, 0.8]), 0.5), [1, 0.5, 0.25, 0.8])
    with pytest.raises(ValueError, match="kind 'bogus'"):
        fit_fusion({"a": np.zeros(5)}, {"a": "bogus"}, np.zeros(5))  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="kind 'x'"):
        ChannelFeature.from_json({**ChannelFeature("a", FeatureKind.BINARY).to_json(), "kind": "x"})
    with pytest.raises(ValueError, match="kind 'x'"):
        ChannelFeature("a", "x")  # type: ignore[arg-type]
    # A constant numeric channel gets unit scales instead of dividing by zero.
    numeric = {"c": FeatureKind.NUMERIC}
    model = fit_fusion({"c": np.ones(20)}, numeric, np.r_[np.zeros(10), np.ones(10)])
    assert model.channels[0].scale == 1.0
    empty = fit_fusion({"c": np.full(4, np.nan)}, numeric, np.array([0, 1, 0, 1.0]))
    assert empty.channels[0].center == 0.0


def test_kinds_named_by_their_strings() -> None:
    """Saved models and older callers name kinds by string: read as the enum, written back."""
    assert [k.value for k in FeatureKind] == ["binary", "numeric"]
    feature = ChannelFeature("a", "binary")  # type: ignore[arg-type]
    assert feature.kind is FeatureKind.BINARY and feature.width == 3
    saved = ChannelFeature("p", FeatureKind.NUMERIC).to_json()
    assert saved["kind"] == "numeric" and type(saved["kind"]) is str
    assert ChannelFeature.from_json(saved).kind is FeatureKind.NUMERIC
    with pytest.raises(ValueError, match="kind 'direct'"):  # the routine prior's, no longer fitted
        ChannelFeature.from_json({**saved, "kind": "direct"})
    rng = np.random.default_rng(1)
    occ = weekly_truth(rng, 1)
    data = sensors(rng, occ)
    as_strings = {"good": "binary", "bad": "binary", "co2": "numeric"}
    by_string = fit_fusion(data, as_strings, occ)  # type: ignore[arg-type]
    by_enum = fit_fusion(data, KINDS, occ)
    assert by_string.channels == by_enum.channels
    np.testing.assert_array_equal(by_string.coef, by_enum.coef)


def test_forecast_short_and_long_horizons() -> None:
    """The chain starts at the current state and converges to the routine prior."""
    rng = np.random.default_rng(4)
    occ = weekly_truth(rng, 4)
    end = MONDAY + len(occ)
    model = fit_routine(occ, end, TZ)
    origin = end + 12 * SLOTS_PER_HOUR  # Monday 12:00, away by routine
    for p0 in (0.0, 1.0):
        f = model.forecast(p0, origin, 14 * SLOTS_PER_DAY)
        assert abs(f[0] - p0) < 0.15
        tail = f[7 * SLOTS_PER_DAY :]
        prior = model.prior_at(origin + 1 + 7 * SLOTS_PER_DAY, len(tail))
        hourly = lambda a: a.reshape(-1, SLOTS_PER_HOUR).mean(axis=1)  # noqa: E731
        gap = np.abs(hourly(tail[: 7 * SLOTS_PER_DAY]) - hourly(prior[: 7 * SLOTS_PER_DAY]))
        assert gap.mean() < 0.08 and gap.max() < 0.5
    # Weekday mid-day the prior says away; at 03:00 home.
    how = hour_of_week(origin, 1, TZ)[0]
    assert model.prior[how] < 0.2 and model.prior[how - 9] > 0.9


def test_next_arrival_within_15_minutes() -> None:
    """On a weekly routine (back at 17:30 +- 10 min) the forecast arrival is within 15 min."""
    rng = np.random.default_rng(5)
    occ = weekly_truth(rng, 4)
    end = MONDAY + len(occ)
    routine = fit_routine(occ, end, TZ)
    origin = end + 12 * SLOTS_PER_HOUR  # Monday 12:00
    empty, occupied = forecast_basis(routine, origin)
    np.testing.assert_allclose(empty, routine.forecast(0.0, origin, SLOTS_PER_DAY))
    np.testing.assert_allclose(occupied, routine.forecast(1.0, origin, SLOTS_PER_DAY))
    fc = OccupancyForecast.of(empty, 0.0, origin)
    assert fc.next_arrival is not None
    truth = end + 17 * SLOTS_PER_HOUR + 6
    assert abs(fc.next_arrival.slot - truth) * 5 <= 15
    assert 0.5 < fc.next_arrival.confidence <= 1
    assert fc.next_departure is not None  # next morning
    assert abs(fc.next_departure.slot - (end + SLOTS_PER_DAY + 8 * SLOTS_PER_HOUR)) * 5 <= 15
    assert set(fc.horizons) == {30, 60, 120} and len(fc.series) == SLOTS_PER_DAY
    assert next_crossing(0.0, np.zeros(10), 0, upward=True) is None


def test_unsupervised_zone_and_json_round_trip() -> None:
    """A label-free fit detects occupancy; its state survives JSON exactly enough."""
    rng = np.random.default_rng(6)
    occ = weekly_truth(rng, 2)
    data = sensors(rng, occ)
    model = fit_occupancy(data, KINDS)
    p = model.detect(data)
    assert np.mean((p >= 0.5) == occ) > 0.9
    assert model.fusion_names() == ["good", "bad", "co2"]
    text = json.dumps(model.to_json())
    back = OccupancyModel.from_json(json.loads(text))
    np.testing.assert_allclose(back.detect(data), p, atol=1e-4)
    assert back.fusion.channels == model.fusion.channels
    with pytest.raises(ValueError, match="version"):
        OccupancyModel.from_json({"version": 0})
    with pytest.raises(ValueError, match="routine prior"):
        OccupancyModel.from_json({**model.to_json(), "use_prior": True})
    bad = model.to_json()["fusion"]
    bad["coef"] = bad["coef"][:-1]
    with pytest.raises(ValueError, match="coefficients"):
        FusionModel.from_json(bad)
    with pytest.raises(ValueError, match="168"):
        RoutineModel.from_json({"tz": TZ, "prior": [0.5], "p11": [0.5], "p01": [0.5]})


def test_backtest_and_scores() -> None:
    """Walk-forward backtest beats the baselines where it should; scores handle NaN."""
    rng = np.random.default_rng(7)
    occ = weekly_truth(rng, 3)
    days = rolling_backtest(occ, MONDAY, TZ, min_days=7)
    assert len(days) == 14  # days 7..20
    mean = lambda k: float(np.mean([d[k] for d in days]))  # noqa: E731
    assert mean("now_acc") == 1.0
    assert mean("h30_acc") > 0.95 and mean("h120_acc") > 0.9
    assert mean("day_ahead_acc") > mean("always_home_acc")
    assert mean("h30_brier") < 0.05
    noisy = rolling_backtest(occ, MONDAY, TZ, origin=np.clip(occ, 0.2, 0.8), min_days=7)
    assert noisy[0]["persist_h30_acc"] == days[0]["persist_h30_acc"]
    s = score(np.array([np.nan]), np.array([1.0]))
    assert s.n == 0 and math.isnan(s.brier)
    assert day_starts(MONDAY, 0, TZ) == []
    empty = fit_routine(np.full(10, np.nan), MONDAY + 10, TZ)
    assert np.allclose(empty.prior, 0.5)


def test_the_live_last_slot_equals_the_whole_series() -> None:
    """``predict_last`` (scalar, per event) gives what ``predict`` gives for the last slot."""
    rng = np.random.default_rng(3)
    channels = (
        ChannelFeature("motion", FeatureKind.BINARY, decay=0.8),
        ChannelFeature("door", FeatureKind.BINARY, decay=0.0),
        ChannelFeature("co2", FeatureKind.NUMERIC, center=600.0, scale=150.0, slope_scale=20.0),
    )
    model = FusionModel(channels, rng.normal(0, 1, 9), -0.4)
    for _ in range(50):
        data = {
            "motion": (rng.random(37) < 0.3).astype(float),
            "door": rng.random(37),
            "co2": 500 + 400 * rng.random(37),
        }
        for series in data.values():
            series[rng.random(37) < 0.2] = np.nan
        if rng.random() < 0.3:
            del data["door"]  # a channel with no series reads as unknown
        assert model.predict_last(data) == pytest.approx(float(model.predict(data)[-1]), abs=1e-9)
