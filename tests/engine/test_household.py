"""The household on a fresh install: what the home learns in its first days."""

import numpy as np

from custom_components.iot_ml.engine.core import (
    SLOT_SECONDS,
    ChannelKind,
    ChannelSpec,
    Role,
    slot_of,
)
from custom_components.iot_ml.engine.household import (
    HOME,
    Household,
    HouseholdSettings,
    Sample,
    ZoneSpec,
)
from custom_components.iot_ml.engine.household.household import AWAY_SLOTS

START = 1_767_571_200.0  # 2026-01-05 00:00 UTC, a Monday
MOTION = ChannelSpec("binary_sensor.kitchen_motion", ChannelKind.BINARY, Role.EVIDENCE)
PHONE = ChannelSpec("device_tracker.phone", ChannelKind.BINARY, Role.PRESENCE)
CO2 = ChannelSpec("sensor.kitchen_co2", ChannelKind.NUMERIC, Role.ENVIRONMENT)


def _household() -> Household:
    return Household(
        HouseholdSettings(days_kept=28, tz="UTC", comfort_c=21.0, eco_c=17.0),
        ZoneSpec("home", "Home", (PHONE,)),
        [ZoneSpec("kitchen", "Kitchen", (MOTION, CO2))],
    )


def _three_days(household: Household) -> float:
    """Three days of phones and evening kitchen visits; returns Thursday 02:00."""
    rng = np.random.default_rng(0)
    for day in range(3):
        base = START + day * 86400
        household.ingest(base, [Sample(HOME, PHONE.key, 1.0)])
        household.ingest(base + 8 * 3600, [Sample(HOME, PHONE.key, 0.0)])  # out 08:00-17:00
        household.ingest(base + 17 * 3600, [Sample(HOME, PHONE.key, 1.0)])
        for ts in base + 17 * 3600 + np.sort(rng.uniform(0, 5 * 3600, 40)):
            household.ingest(float(ts), [Sample("kitchen", MOTION.key, 1.0)])
            household.ingest(float(ts) + 60, [Sample("kitchen", MOTION.key, 0.0)])
            household.ingest(float(ts) + 90, [Sample("kitchen", CO2.key, 600.0 + ts % 300)])
    return START + 3 * 86400 + 2 * 3600


def test_numeric_readings_wait_for_the_tick_motion_does_not() -> None:
    """The hot path: a CO2 reading is stored only; motion re-reads P(occupied) at once."""
    household = _household()
    night = _three_days(household)
    household.train(night)
    household.tick(night + SLOT_SECONDS, {})
    kitchen = household.zones["kitchen"]
    before = kitchen.occupancy
    assert before is not None
    assert not household.ingest(night + 400, [Sample("kitchen", CO2.key, 1500.0)]).moved
    assert kitchen.occupancy is before
    household.ingest(night + 410, [Sample("kitchen", MOTION.key, 1.0)])
    assert kitchen.occupancy is not before
    assert kitchen.occupancy is not None
    assert kitchen.occupancy.probability > before.probability


def test_home_forecast_keeps_people_home_at_night_after_three_days() -> None:
    """Three days into a 28-day window, the home's routine must come from the phones alone:
    the zones' posteriors do not exist before their first reading, so they must not label
    the 25 empty days as "probably empty" (that made +60 min worse than a coin)."""
    household = _household()
    night = _three_days(household)  # Thursday 02:00, everyone asleep at home
    household.train(night)
    household.tick(night + SLOT_SECONDS, {})
    home = household.zones[HOME].occupancy
    assert home is not None
    assert home.probability == 1.0
    assert home.probability_in(60) > 0.9


def test_a_trip_is_told_from_a_phone_left_at_home() -> None:
    """Trackers away for 12 h mean a trip: the routine's "usually home" stops vetoing unusual
    activity alerts then (a night intrusion during a holiday was missed), not before."""
    household = _household()
    day = START + 86400
    household.ingest(START, [Sample(HOME, PHONE.key, 1.0)])
    household.ingest(day, [Sample(HOME, PHONE.key, 0.0)])  # leaves at midnight
    household.tick(day + 6 * 3600, {})
    assert not household._away_for(slot_of(day + 6 * 3600), AWAY_SLOTS)  # 6 h: could be a phone
    household.tick(day + 13 * 3600, {})
    assert household._away_for(slot_of(day + 13 * 3600), AWAY_SLOTS)
    household.ingest(day + 14 * 3600, [Sample(HOME, PHONE.key, 1.0)])
    household.tick(day + 14 * 3600 + SLOT_SECONDS, {})
    assert not household._away_for(slot_of(day + 14 * 3600 + SLOT_SECONDS), AWAY_SLOTS)
