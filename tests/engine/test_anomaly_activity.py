"""Unusual activity (security) and inactivity (welfare), and the per-zone joint check."""

import json
import math

import numpy as np

from custom_components.iot_ml.engine.anomaly.activity import ActivityConfig, ActivityDetector
from custom_components.iot_ml.engine.anomaly.joint import JointConfig, JointDetector
from custom_components.iot_ml.engine.anomaly.types import AnomalyResult, Feedback, Kind

T0 = 1_767_571_200.0  # Monday 00:00 UTC
SLOT = 300.0


def routine_day(
    detector: ActivityDetector, day: int, rng: np.random.Generator
) -> list[AnomalyResult]:
    """Home 18:00-08:00, active 07:00-08:00 and 18:00-23:00 (often), asleep at night."""
    out = []
    for k in range(288):
        ts = T0 + day * 86400.0 + k * SLOT
        hour = k / 12
        home = hour < 8 or hour >= 18
        awake = 7 <= hour < 8 or 18 <= hour < 23
        evidence = float(rng.random() < 0.7) if awake else 0.0
        out.append(detector.update(ts, evidence, observed_empty=not home))
    return out


def trained(days: int = 21) -> ActivityDetector:
    det = ActivityDetector(ActivityConfig("home"))
    rng = np.random.default_rng(1)
    for day in range(days):
        assert [r.alert for r in routine_day(det, day, rng) if r.alert] == []
    return det


def test_quiet_on_the_routine_and_json_round_trip() -> None:
    det = trained()
    copy = ActivityDetector.from_json(det.config, json.loads(json.dumps(det.to_json())))
    rng = np.random.default_rng(9)
    a = routine_day(det, 21, rng)
    b = routine_day(copy, 21, np.random.default_rng(9))
    assert [r.alert for r in a if r.alert] == []
    assert a == b


def test_activity_in_an_empty_home_alerts_after_the_grace_period() -> None:
    det = trained()
    base = T0 + 21 * 86400.0 + 10 * 3600.0  # 10:00, everyone out
    results = [det.update(base + i * SLOT, 2.0, observed_empty=True) for i in range(4)]
    kinds = [r.alert.kind for r in results if r.alert]
    assert kinds == [Kind.UNUSUAL_ACTIVITY]
    assert results[0].alert is None  # not at once: phones report arrivals late
    # A resident arriving (phone home within the grace period) is no alert.
    det = trained()
    evening = base + 8 * 3600.0  # 18:00, when the household usually comes home
    quiet = [det.update(evening, 2.0, observed_empty=True)]
    quiet += [det.update(evening + i * SLOT, 1.0, observed_empty=False) for i in range(1, 4)]
    assert [r.alert for r in quiet if r.alert] == []


def test_activity_at_an_hour_never_active_alerts_even_with_people_home() -> None:
    det = trained()
    night = T0 + 21 * 86400.0 + 3 * 3600.0
    results = [det.update(night + i * SLOT, 1.0, observed_empty=False) for i in range(3)]
    alert = next(r.alert for r in results if r.alert)
    assert alert.kind is Kind.UNUSUAL_ACTIVITY
    assert det.mark(alert.id, Feedback.FALSE_ALARM)
    assert det.rate(night) > 0.01  # a false alarm teaches that this hour can be active


def test_unusual_inactivity_when_someone_is_home() -> None:
    det = trained()
    day = T0 + 21 * 86400.0
    results = [det.update(day + k * SLOT, 0.0, observed_empty=False) for k in range(14 * 12)]
    kinds = [(r.alert.kind, (r.alert.start - day) / 3600) for r in results if r.alert]
    assert len(kinds) == 1 and kinds[0][0] is Kind.UNUSUAL_INACTIVITY
    # The night's stillness (23:00-07:00) is normal; still nothing after the usual 07:00 rise is not.
    assert 7.5 <= kinds[0][1] <= 10.0


def joint_values(t: int, rng: np.random.Generator, broken: bool = False) -> dict[str, float | None]:
    heating = 1.0 if (t // 6) % 3 == 0 else 0.0
    power = 0.0 if broken else 1500.0 * heating + rng.normal(0, 20)
    change = (0.15 if heating and not broken else -0.05) + rng.normal(0, 0.02)
    return {"temp_change": change, "heater_power": power, "heating": heating}


def test_joint_check_finds_heating_without_heat() -> None:
    det = JointDetector(JointConfig("office", ("temp_change", "heater_power", "heating")))
    rng = np.random.default_rng(0)
    results = [det.update(T0 + t * SLOT, joint_values(t, rng)) for t in range(2000)]
    assert [r.alert for r in results if r.alert] == []
    broken = [det.update(T0 + t * SLOT, joint_values(t, rng, True)) for t in range(2000, 2024)]
    alerts = [r.alert for r in broken if r.alert]
    assert len(alerts) == 1  # one episode, not one alert per slot
    assert alerts[0].key.startswith("office/")
    restored = JointDetector.from_json(det.config, json.loads(json.dumps(det.to_json())))
    values = joint_values(1, rng)
    # The restored model refreshes its precision matrix at once, the running one every 12 slots.
    assert math.isclose(
        restored.update(T0, values).score, det.update(T0, values).score, rel_tol=1e-3
    )
