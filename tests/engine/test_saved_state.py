"""State saved by an older engine still loads: nothing lost, the same conclusions.

``data/saved_state_v1.json`` was written by the engine of commit beb6c32 (see
``data/make_saved_state.py``): a household's per-zone metadata and arrays, what that engine
concluded right after loading them back, and an occupancy model fitted with the routine prior.
Fields the format has dropped since (``DROPPED``) are ignored when read and no longer written.
"""

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from custom_components.iot_ml.engine.occupancy.zone import OccupancyModel

from .data.make_saved_state import household

SAVED = json.loads(Path(__file__).with_name("data").joinpath("saved_state_v1.json").read_text())
# Paths in a zone's metadata no longer written: the detector's own copy of the routine and its
# routine-prior switch (always off in a zone, which keeps its own routine), and the fusion's
# per-channel reliabilities (read by nothing).
DROPPED = (
    ("occupancy", "fusion", "routine"),
    ("occupancy", "fusion", "use_prior"),
    ("occupancy", "fusion", "fusion", "reliability"),
)


def arrays_of(zone: dict[str, Any]) -> dict[str, Any]:
    return {k: np.array(v, dtype=np.float32) for k, v in zone["arrays"].items()}


def without_dropped(meta: dict[str, Any]) -> dict[str, Any]:
    """A saved zone's metadata with the dropped fields left out (a copy)."""
    meta = json.loads(json.dumps(meta))
    for *parents, name in DROPPED:
        node = meta
        for key in parents:
            node = node.get(key) or {}
        node.pop(name, None)
    return meta


def test_old_state_loads_and_saves_back_unchanged() -> None:
    """Every zone loads, and saving it again writes what was read (less the dropped fields)."""
    house = household()
    for key, zone in SAVED["zones"].items():
        house.import_state(key, zone["meta"], arrays_of(zone), SAVED["now"])
    for key, (meta, arrays) in house.export_state().items():
        zone = SAVED["zones"][key]
        expected = without_dropped(zone["meta"])
        if expected.get("watch"):
            # The window watch now keeps residuals against the model, not raw temperatures:
            # the old ``recent`` temperatures are dropped on load (a few slots of memory).
            window = expected["watch"]["window"]
            del window["recent"]
            window["residuals"] = []
        assert json.loads(json.dumps(meta)) == expected
        assert {k: a.tolist() for k, a in arrays.items()} == zone["arrays"]
    # The dropped fields were there: the old state is read with them.
    living = SAVED["zones"]["living"]["meta"]["occupancy"]["fusion"]
    assert {"routine", "use_prior"} <= set(living) and "reliability" in living["fusion"]
    assert living["use_prior"] is False


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


def test_old_occupancy_model_with_the_routine_prior_is_refused() -> None:
    """A detector that read the routine prior (``direct`` channels; no zone ever saved one)
    cannot be evaluated any more: it is refused rather than read without its prior."""
    saved = SAVED["occupancy_model"]
    assert saved["use_prior"] is True
    with pytest.raises(ValueError, match="routine prior"):
        OccupancyModel.from_json(saved)


@pytest.mark.parametrize("zone", ["home", "living"])
def test_old_state_with_a_field_missing_is_refused(zone: str) -> None:
    """A saved zone without its anomaly watch's version is malformed, not silently empty."""
    meta = json.loads(json.dumps(SAVED["zones"][zone]["meta"]))
    del meta["anomalies"]["version"]
    house = household()
    with pytest.raises(ValueError, match="version"):
        house.import_state(zone, meta, arrays_of(SAVED["zones"][zone]), SAVED["now"])
    assert house.zones[zone].learner.trained_at is None
