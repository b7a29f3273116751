"""Eight weeks simulate in seconds; the CLI writes the three files."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from simulator.__main__ import main
from simulator.export import read_events

from .conftest import Run


def test_eight_weeks_is_fast(eight_weeks: Run) -> None:
    """Typically 3-5 s on a 2-core machine; the bound leaves room for a busy CI host."""
    assert len(eight_weeks.arrays["t"]) == 56 * 1440
    assert eight_weeks.seconds < 30


def test_cli_writes_events_truth_and_faults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["--days", "2", "--seed", "3", "--out", str(tmp_path), "--start", "2026-01-05T06:00"])
        == 0
    )
    assert "state changes" in capsys.readouterr().out
    with (tmp_path / "events.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["ts", "entity_id", "state", "attributes"]
    assert float(rows[1][0]) == 1767592800.0  # 06:00 UTC
    assert json.loads(rows[1][3])["friendly_name"]
    events = read_events(tmp_path / "events.csv")
    assert len(events) == len(rows) - 1
    truth = np.load(tmp_path / "truth.npz", allow_pickle=False)
    assert len(truth["t"]) == 2 * 1440
    assert {"occupied.kitchen", "temperature.office", "home_occupied", "heater_on.hall"} <= set(
        truth.files
    )
    assert json.loads((tmp_path / "faults.json").read_text()) == []  # none in the first 14 days
