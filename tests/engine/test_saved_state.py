"""State saved by an older engine still loads: nothing lost, the same conclusions.

``data/saved_state_v1.json`` was written by the engine of commit beb6c32 (see
``data/make_saved_state.py``): a household's per-zone metadata and arrays, what that engine
concluded right after loading them back, and an occupancy model fitted with the routine prior.
"""

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from custom_components.iot_ml.engine.occupancy.fusion import FeatureKind
from custom_components.iot_ml.engine.occupancy.model import OccupancyModel

from .data.make_saved_state import household

SAVED = json.loads(Path(__file__).with_name("data").joinpath("saved_state_v1.json").read_text())


def arrays_of(zone: dict[str, Any]) -> dict[str, Any]:
    return {k: np.array(v, dtype=np.float32) for k, v in zone["arrays"].items()}


def test_old_state_loads_and_saves_back_unchanged() -> None:
    """Every zone loads, and saving it again writes exactly what was read."""
    house = household()
    for key, zone in SAVED["zones"].items():
        house.import_state(key, zone["meta"], arrays_of(zone), SAVED["now"])
    for key, (meta, arrays) in house.export_state().items():
        zone = SAVED["zones"][key]
        expected = json.loads(json.dumps(zone["meta"]))
        if expected.get("watch"):
            # The window watch now keeps residuals against the model, not raw temperatures:
            # the old ``recent`` temperatures are dropped on load (a few slots of memory).
            window = expected["watch"]["window"]
            del window["recent"]
            window["residuals"] = []
        assert json.loads(json.dumps(meta)) == expected
        assert {k: a.tolist() for k, a in arrays.items()} == zone["arrays"]


def test_old_state_gives_the_same_conclusions() -> None:
    """Occupancy, thermal readings and the open episode are what the old engine read."""
    now = SAVED["now"]
    house = household()
    for key, zone in SAVED["zones"].items():
        house.import_state(key, zone["meta"], arrays_of(zone), now)
    house.refresh(now, {}, list(house.zones))
    snaps = house.snapshots(now)
    living, home = snaps["living"], snaps["home"]
    assert living.occupancy is not None and living.thermal is not None
    assert home.occupancy is not None
    expected = SAVED["expected"]
    assert [e.id for e in house.open_episodes("living")] == expected["episodes"]
    assert living.occupancy.probability == expected["living_probability"]
    assert living.occupancy.probability_in(60) == expected["living_forecast_60"]
    assert home.occupancy.probability == expected["home_probability"]
    assert living.thermal.rates.heat_up_c_per_h == expected["heat_up_c_per_h"]
    assert living.thermal.rates.loss_c_per_h == expected["loss_c_per_h"]
    assert living.thermal.predicted_1h == expected["predicted_1h"]


def test_old_occupancy_model_with_direct_channels() -> None:
    """A fusion with the routine prior (``direct`` channels) reads back as saved."""
    saved = SAVED["occupancy_model"]
    model = OccupancyModel.from_json(saved)
    assert json.loads(json.dumps(model.to_json())) == saved
    kinds = [c.kind for c in model.fusion.channels][:3]
    assert kinds == [FeatureKind.BINARY, FeatureKind.NUMERIC, FeatureKind.DIRECT]
    assert all(type(k) is FeatureKind for k in kinds)  # the saved strings are read as the enum


@pytest.mark.parametrize("zone", ["home", "living"])
def test_old_state_with_a_field_missing_is_refused(zone: str) -> None:
    """A saved zone without its anomaly watch's version is malformed, not silently empty."""
    meta = json.loads(json.dumps(SAVED["zones"][zone]["meta"]))
    del meta["anomalies"]["version"]
    house = household()
    with pytest.raises(ValueError, match="version"):
        house.import_state(zone, meta, arrays_of(SAVED["zones"][zone]), SAVED["now"])
    assert house.zones[zone].learner.trained_at is None
