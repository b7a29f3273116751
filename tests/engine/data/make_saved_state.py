"""Writes ``saved_state_v1.json``: a household's learned state as saved by the engine at beb6c32.

The file pins the on-disk format: ``test_saved_state.py`` loads it with the current engine and
checks that nothing was lost. It was generated once, with the engine of commit beb6c32 (before
the shared versioned-JSON helper), by ``scripts/run python -m tests.engine.data.make_saved_state``.
Do not regenerate it with newer code: it would then only prove that the code reads itself.

Besides each zone's metadata and arrays the file holds what that engine concluded right after
loading the state back (``expected``), and a fitted occupancy model with the routine prior (its
fusion has ``direct`` channels, which a zone's own fusion does not use).
"""

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from custom_components.iot_ml.engine.anomaly.types import Feedback
from custom_components.iot_ml.engine.core.grid import SLOTS_PER_DAY
from custom_components.iot_ml.engine.core.types import ChannelKind, ChannelSpec, Role
from custom_components.iot_ml.engine.household import Household, HouseholdSettings, Sample, ZoneSpec
from custom_components.iot_ml.engine.occupancy.zone import fit_occupancy

OUT = Path(__file__).with_name("saved_state_v1.json")
DAY = 86400.0
T0 = 1_793_577_600.0  # 2026-11-02 00:00 UTC, a Monday
DAYS = 4
TZ = "Europe/Berlin"
STEP = 300.0


def household() -> Household:
    """A home with presence and outdoor temperature, and one zone with everything."""
    home = ZoneSpec(
        "home",
        "Home",
        (
            ChannelSpec("person", ChannelKind.BINARY, Role.PRESENCE),
            ChannelSpec("outdoor", ChannelKind.NUMERIC, Role.OUTDOOR),
        ),
    )
    living = ZoneSpec(
        "living",
        "Living room",
        (
            ChannelSpec("motion", ChannelKind.BINARY, Role.EVIDENCE),
            ChannelSpec("temp", ChannelKind.NUMERIC, Role.ENVIRONMENT, watched=True),
            ChannelSpec("co2", ChannelKind.NUMERIC, Role.ENVIRONMENT),
            ChannelSpec("air", ChannelKind.NUMERIC, Role.CLIMATE),
            ChannelSpec("heating", ChannelKind.BINARY, Role.CLIMATE),
        ),
    )
    return Household(HouseholdSettings(DAYS, TZ, 21.0, 17.0), home, [living])


def feed(house: Household, start: float, end: float, rng: np.random.Generator) -> None:
    """Readings every 5 minutes: evenings at home, a heated room, CO2 while occupied."""
    air = 19.0
    for ts in np.arange(start, end, STEP):
        hour = (ts % DAY) / 3600.0
        home = 6.0 <= hour < 8.0 or 17.0 <= hour < 23.0
        outdoor = 4.0 + 3.0 * math.sin(2 * math.pi * (hour - 9.0) / 24.0)
        heating = 1.0 if home and air < 21.0 else 0.0
        air += STEP / 3600.0 * (0.1 * (outdoor - air) + 2.0 * heating)
        motion = 1.0 if home and rng.random() < 0.4 else 0.0
        samples = [
            Sample("home", "person", 1.0 if home else 0.0),
            Sample("home", "outdoor", round(outdoor, 2)),
            Sample("living", "motion", motion),
            Sample("living", "temp", round(air + rng.normal(0.0, 0.05), 2)),
            Sample("living", "co2", round(450.0 + (300.0 if home else 0.0) + rng.normal(0, 10), 1)),
            Sample("living", "air", round(air, 2)),
            Sample("living", "heating", heating),
        ]
        house.ingest(float(ts), samples)
        if ts % 300.0 == 0.0:
            house.tick(float(ts), {})


def main() -> None:
    """Learn, raise and mark an episode, save; then load into a fresh household and read it."""
    rng = np.random.default_rng(7)
    house = household()
    feed(house, T0, T0 + (DAYS - 1) * DAY, rng)
    house.train(T0 + (DAYS - 1) * DAY)
    feed(house, T0 + (DAYS - 1) * DAY, T0 + DAYS * DAY, rng)
    now = T0 + DAYS * DAY
    house.ingest(now, [Sample("living", "temp", 45.0)])  # a spike: an episode opens
    episodes = [e.id for e in house.open_episodes("living")]
    house.mark(episodes[0], Feedback.CONFIRMED)
    house.tick(now, {})
    saved = {key: (meta, arrays) for key, (meta, arrays) in house.export_state().items()}
    zones = {
        key: {"meta": meta, "arrays": {name: a.tolist() for name, a in arrays.items()}}
        for key, (meta, arrays) in saved.items()
    }
    zones = json.loads(json.dumps(zones))
    again = household()
    for key, zone in zones.items():
        arrays = {k: np.array(v, dtype=np.float32) for k, v in zone["arrays"].items()}
        again.import_state(key, zone["meta"], arrays, now)
    again.refresh(now, {}, list(again.zones))
    snaps = again.snapshots(now)
    living = snaps["living"]
    assert living.occupancy is not None and living.thermal is not None
    expected = {
        "episodes": [e.id for e in again.open_episodes("living")],
        "living_probability": living.occupancy.probability,
        "living_forecast_60": living.occupancy.probability_in(60),
        "home_probability": None
        if snaps["home"].occupancy is None
        else snaps["home"].occupancy.probability,
        "heat_up_c_per_h": living.thermal.rates.heat_up_c_per_h,
        "loss_c_per_h": living.thermal.rates.loss_c_per_h,
        "predicted_1h": living.thermal.predicted_1h,
    }
    data = {name: a.astype(np.float64) for name, a in _slots(again).items()}
    occ = (data["motion"] > 0).astype(np.float64)
    kinds = {"motion": "binary", "co2": "numeric"}
    end = int(now // STEP)
    model = fit_occupancy({k: data[k] for k in kinds}, kinds, end, TZ, labels=occ)
    out = {
        "generated_by": "tests/engine/data/make_saved_state.py at beb6c32",
        "now": now,
        "zones": zones,
        "expected": expected,
        "occupancy_model": model.to_json(),
        "occupancy_detect_last": float(
            model.detect({k: data[k] for k in kinds}, end - len(occ))[-1]
        ),
    }
    OUT.write_text(json.dumps(out, separators=(",", ":")) + "\n")


def _slots(house: Household) -> dict[str, Any]:
    learner = house.zones["living"].learner
    end = learner.end_slot()
    assert end is not None
    return {k: learner.buffers[k].window(end, 2 * SLOTS_PER_DAY) for k in ("motion", "co2")}


if __name__ == "__main__":
    main()
