"""The versioned-JSON helper every saved state of the engine is written and read with."""

import copy
import json
from pathlib import Path
import re
from typing import Any

import pytest

from custom_components.iot_ml.engine.anomaly.activity import ActivityConfig, ActivityDetector
from custom_components.iot_ml.engine.anomaly.joint import JointConfig, JointDetector
from custom_components.iot_ml.engine.anomaly.sensor import SensorConfig, SensorDetector
from custom_components.iot_ml.engine.anomaly.zone import JOINT_CHANNELS, ZoneAnomalies
from custom_components.iot_ml.engine.core.state import read_state, write_state
from custom_components.iot_ml.engine.occupancy.zone import OccupancyModel, ZoneOccupancy
from custom_components.iot_ml.engine.thermal.model import ThermalModel
from custom_components.iot_ml.engine.thermal.zone import ThermalWatch

SAVED = json.loads(Path(__file__).with_name("data").joinpath("saved_state_v1.json").read_text())
LIVING = SAVED["zones"]["living"]["meta"]
FIELDS = {"a": float, "b": (list, None), "c": int}


def test_written_with_the_version_first() -> None:
    """``{"version": N, ...fields}`` in the order given."""
    state = write_state(3, b=[1], a=2.0)
    assert list(state) == ["version", "b", "a"]
    assert state == {"version": 3, "b": [1], "a": 2.0}


def test_read_back_with_optional_fields_and_extra_keys() -> None:
    """Checked fields come back as they are; absent optional ones as None; others are kept."""
    data = {"version": 3, "a": 1, "b": None, "c": 4.0, "old": "kept"}
    out = read_state(data, "test state", 3, FIELDS, optional={"d": dict, "e": str})
    assert out == {**data, "d": None, "e": None}
    assert "d" not in data  # the input is not changed
    with_optional = read_state({**data, "e": "x"}, "test state", 3, FIELDS, optional={"e": str})
    assert with_optional["e"] == "x"


@pytest.mark.parametrize("data", [{"version": 2}, {"a": 1}, {"version": True}, [], None, "x"])
def test_other_versions_are_refused(data: Any) -> None:
    """Another version, none, or not a JSON object: refused with what was found."""
    with pytest.raises(ValueError, match=r"unsupported test state version .* \(expected 1\)"):
        read_state(data, "test state", 1, {})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"a": None}, "field 'a' must be a number, not null None"),
        ({"a": "1.5"}, "field 'a' must be a number, not a string '1.5'"),
        ({"a": True}, "field 'a' must be a number, not a boolean True"),
        ({"b": {}}, "field 'b' must be an array or null, not an object {}"),
        ({"c": 1.5}, "field 'c' must be an integer, not a number 1.5"),
    ],
)
def test_fields_of_the_wrong_type_are_refused(change: dict[str, Any], message: str) -> None:
    """A field of another JSON type is named in the error."""
    data = {"version": 1, "a": 1.0, "b": [], "c": 2, **change}
    with pytest.raises(ValueError, match=f"^test state {re.escape(message)}$"):
        read_state(data, "test state", 1, FIELDS)
    with pytest.raises(ValueError, match=r"^test state field 'e' must be a string, not an integer"):
        read_state(
            {"version": 1, "a": 1.0, "b": [], "c": 2, "e": 5}, "test state", 1, FIELDS, {"e": str}
        )


def test_missing_fields_are_refused() -> None:
    """A field that must be there and is not is named in the error."""
    with pytest.raises(ValueError, match=r"^test state lacks the field 'c'$"):
        read_state({"version": 1, "a": 1.0, "b": None}, "test state", 1, FIELDS)


def _reader(name: str) -> tuple[Any, Any]:
    """A saved state of the fixture and the reader it goes through."""
    sensors = LIVING["anomalies"]["sensors"]
    anomalies = ZoneAnomalies("living", ["temp"], "UTC", 0.5, activity=True, joint=True)
    readers = {
        "zone occupancy": (LIVING["occupancy"], ZoneOccupancy.from_json),
        "occupancy": (LIVING["occupancy"]["fusion"], OccupancyModel.from_json),
        "thermal": (LIVING["thermal"], ThermalModel.from_json),
        "thermal watch": (LIVING["watch"], ThermalWatch.from_json),
        "zone anomaly": (LIVING["anomalies"], anomalies.restore),
        "sensor anomaly": (
            sensors["temp"],
            lambda d: SensorDetector.from_json(SensorConfig("temp"), d),
        ),
        "activity": (
            LIVING["anomalies"]["activity"],
            lambda d: ActivityDetector.from_json(ActivityConfig("living"), d),
        ),
        "joint": (
            LIVING["anomalies"]["joint"],
            lambda d: JointDetector.from_json(JointConfig("living", JOINT_CHANNELS), d),
        ),
    }
    return readers[name]


@pytest.mark.parametrize(
    "name",
    [
        "zone occupancy",
        "occupancy",
        "thermal",
        "thermal watch",
        "zone anomaly",
        "sensor anomaly",
        "activity",
        "joint",
    ],
)
def test_every_saved_state_is_checked(name: str) -> None:
    """Each versioned state reads its saved form, and refuses it with a field gone or retyped."""
    saved, read = _reader(name)
    read(copy.deepcopy(saved))
    field = next(k for k in saved if k != "version")
    with pytest.raises(ValueError, match=rf"^{name} state lacks the field '{field}'$"):
        read({k: v for k, v in copy.deepcopy(saved).items() if k != field})
    with pytest.raises(ValueError, match=f"^{name} state field '{field}' must be"):
        read({**copy.deepcopy(saved), field: "x" if not isinstance(saved[field], str) else 1})
    with pytest.raises(ValueError, match=f"^unsupported {name} state version 99"):
        read({**copy.deepcopy(saved), "version": 99})
