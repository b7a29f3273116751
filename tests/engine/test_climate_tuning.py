"""Per-zone pre-heat tuning: the arrival threshold follows how predictable the zone is."""

import numpy as np

from custom_components.iot_ml.engine.climate.policy import ClimateSettings
from custom_components.iot_ml.engine.climate.tuning import (
    FALLBACK_LEAD_SLOTS,
    THRESHOLDS,
    calibrate,
    heat_up_slots,
    zone_settings,
)
from custom_components.iot_ml.engine.core.grid import SLOTS_PER_DAY
from custom_components.iot_ml.engine.thermal.model import ThermalSeries, fit_thermal

START = 5_000_000  # a slot index (1970s) at local midnight in UTC
DAYS = 21


def _posterior(brief: bool, seed: int = 0) -> np.ndarray:
    """Evenings 18-23 every day; with ``brief``, also a 10-minute visit at a random hour."""
    rng = np.random.default_rng(seed)
    p = np.zeros(DAYS * SLOTS_PER_DAY)
    for d in range(DAYS):
        day = d * SLOTS_PER_DAY
        p[day + 18 * 12 : day + 23 * 12] = 1.0
        if brief:
            at = day + int(rng.integers(8 * 12, 16 * 12))
            p[at : at + 2] = 1.0
    return p


def test_firm_routine_keeps_a_high_threshold_brief_visits_lower_it() -> None:
    """A zone used at fixed hours can wait for a confident forecast; random visits cannot."""
    firm, firm_stats = calibrate(_posterior(False), START, "UTC", lead=12)
    brief, brief_stats = calibrate(_posterior(True), START, "UTC", lead=12)
    assert firm == THRESHOLDS[0]
    assert brief < firm
    assert set(firm_stats) == {f"{t:g}" for t in THRESHOLDS}
    assert brief_stats[f"{THRESHOLDS[0]:g}"] > 0  # the confident threshold misses visits


def test_short_history_and_empty_zone() -> None:
    """Less than two weeks: nothing to replay, the confident default stays."""
    short = _posterior(False)[: 8 * SLOTS_PER_DAY]
    assert calibrate(short, START, "UTC", lead=12)[0] == THRESHOLDS[0]
    assert calibrate(np.zeros(DAYS * SLOTS_PER_DAY), START, "UTC", lead=12)[0] == THRESHOLDS[0]


def test_heat_up_time_and_zone_settings() -> None:
    """The lead comes from the thermal model (margin included); settings get the threshold."""
    settings = ClimateSettings(comfort_c=21.0, eco_c=17.0)
    assert heat_up_slots(settings, None, START, 5.0) == FALLBACK_LEAD_SLOTS
    n = 10 * SLOTS_PER_DAY
    heating = ((np.arange(n) // 24) % 2).astype(np.float64)
    temperature = np.empty(n)
    t = 18.0
    for i in range(n):
        temperature[i] = t
        t += (0.1 * (5.0 - t) + 2.0 * heating[i]) / 12
    model = fit_thermal(ThermalSeries(START, temperature, heating, np.full(n, 5.0)))
    lead = heat_up_slots(settings, model, START + n, 5.0)
    # 17 -> 20.7 C with 2 C/h of heat against ~1.3 C/h of loss: about 6 h, plus the margin.
    assert 5 * 12 <= lead <= 8 * 12
    tuned, stats = zone_settings(settings, "UTC", model, _posterior(True), START, outdoor=5.0)
    assert tuned.arrival_threshold in THRESHOLDS
    assert stats["lead_slots"] == lead


def test_home_presence_splits_the_threshold() -> None:
    """Random daytime visits happen while someone is home; away, nothing needs the low one."""
    posterior = _posterior(True)
    home = np.zeros(len(posterior))
    for d in range(DAYS):  # home from 07:00 to midnight
        home[d * SLOTS_PER_DAY + 7 * 12 : (d + 1) * SLOTS_PER_DAY] = 1.0
    settings = ClimateSettings(comfort_c=21.0, eco_c=17.0)
    tuned, stats = zone_settings(settings, "UTC", None, posterior, START, outdoor=5.0, home=home)
    plain, _ = zone_settings(settings, "UTC", None, posterior, START, outdoor=5.0)
    assert tuned.arrival_threshold == plain.arrival_threshold
    assert tuned.home_arrival_threshold in THRESHOLDS
    assert tuned.away_arrival_threshold == THRESHOLDS[0]  # no arrival while away
    assert stats["home_threshold"] == tuned.home_arrival_threshold
    assert plain.home_arrival_threshold is None
