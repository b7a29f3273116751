"""Files of a simulated run: events.csv, truth.npz and faults.json."""

import csv
from datetime import UTC, datetime
import json
from pathlib import Path
import re
from typing import Any, cast

import numpy as np

from .events import StateChange
from .faults import FaultWindow
from .truth import GroundTruth

_PLAIN = re.compile(r"[\w.:+-]*")  # needs no CSV quoting


def write_events(path: Path, events: list[StateChange]) -> None:
    """CSV with columns ts (epoch s), entity_id, state, attributes (JSON)."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    # Most entities repeat the same attributes: reuse the quoted JSON of the entity's last row.
    previous: dict[str, tuple[dict[str, Any], str]] = {}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("ts", "entity_id", "state", "attributes"))
        lines = []
        for e in events:
            cached = previous.get(e.entity_id)
            if cached is None or cached[0] != e.attributes:
                quoted = '"' + encode(e.attributes).replace('"', '""') + '"'
                cached = previous[e.entity_id] = (e.attributes, quoted)
            if _PLAIN.fullmatch(e.state) and _PLAIN.fullmatch(e.entity_id):
                lines.append(f"{e.ts:.3f},{e.entity_id},{e.state},{cached[1]}\r\n")
                if len(lines) >= 10_000:
                    handle.writelines(lines)
                    lines.clear()
            else:  # let the csv module quote unusual text
                handle.writelines(lines)
                lines.clear()
                writer.writerow((f"{e.ts:.3f}", e.entity_id, e.state, encode(e.attributes)))
        handle.writelines(lines)


def read_events(path: Path) -> list[StateChange]:
    """The events of a CSV written by write_events."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            StateChange(
                float(row["ts"]), row["entity_id"], row["state"], json.loads(row["attributes"])
            )
            for row in csv.DictReader(handle)
        ]


def fault_record(fault: FaultWindow) -> dict[str, Any]:
    """A fault as JSON-friendly dict, with ISO times for people reading it."""
    return {
        "kind": fault.kind,
        "target": fault.target,
        "start": fault.start,
        "end": fault.end,
        "start_iso": datetime.fromtimestamp(fault.start, UTC).isoformat(),
        "end_iso": datetime.fromtimestamp(fault.end, UTC).isoformat(),
        "detail": fault.detail,
    }


def write_run(out: Path, events: list[StateChange], truth: GroundTruth) -> None:
    """events.csv, truth.npz (np.load without pickle) and faults.json in directory `out`."""
    out.mkdir(parents=True, exist_ok=True)
    write_events(out / "events.csv", events)
    savez = cast("Any", np.savez)  # its stub reserves the keyword allow_pickle
    savez(out / "truth.npz", **truth.arrays())
    faults = [fault_record(f) for f in truth.faults]
    (out / "faults.json").write_text(json.dumps(faults, indent=2) + "\n", encoding="utf-8")
