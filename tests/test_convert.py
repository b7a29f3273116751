"""Reading other integrations' states: whatever they put there, a value or a reason."""

from pathlib import Path

from homeassistant.core import State
import numpy as np
import pytest

from custom_components.iot_ml.channels import ChannelSource
from custom_components.iot_ml.convert import canonical_unit, parse_number, unit_of
from custom_components.iot_ml.engine.core import ChannelKind, ChannelSpec, GapReason, Role
from custom_components.iot_ml.storage import _read_npz, _write_npz


def _source() -> ChannelSource:
    return ChannelSource(ChannelSpec("sensor.t", ChannelKind.NUMERIC, Role.ENVIRONMENT), "sensor.t")


@pytest.mark.parametrize("unit", [["ppm"], {"unit": "°C"}, 3, ("°C",)])
def test_a_unit_that_is_not_a_string_is_no_unit(unit: object) -> None:
    """An unhashable unit used to raise on every state change (and abort bootstrap)."""
    assert canonical_unit(unit) is None
    state = State("sensor.t", "21.5", {"unit_of_measurement": unit})
    assert unit_of(state) is None
    assert _source().read(state) == (21.5, None)


@pytest.mark.parametrize("raw", ["1e39", "1e308", "-1e12", "inf", "nan", True, [1], {"a": 1}])
def test_numbers_the_float32_buffers_cannot_hold_are_invalid(raw: object) -> None:
    assert parse_number(raw) == (None, GapReason.INVALID)


def test_a_plausible_large_reading_is_kept() -> None:
    assert parse_number("123456.5") == (123456.5, None)


def test_arrays_are_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "iot_ml" / "entry.npz"
    _write_npz(path, {"a": np.arange(3, dtype=np.float32)})
    _write_npz(path, {"a": np.arange(5, dtype=np.float32)})
    assert _read_npz(path)["a"].tolist() == [0, 1, 2, 3, 4]
    assert not path.with_suffix(".npz.tmp").exists()
