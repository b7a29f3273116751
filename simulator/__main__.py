"""python -m simulator --days D --seed N --out DIR [--start ISO]: events, truth and faults to files."""

import argparse
import csv
from dataclasses import asdict
from datetime import datetime
import json
from pathlib import Path
import time

import numpy as np

from . import default_home, simulate


def main() -> None:
    """Simulate and write DIR/events.csv, DIR/truth.npz and DIR/faults.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=float, default=56)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--start", default="2026-10-05T00:00:00+00:00")
    parser.add_argument("--no-faults", action="store_true")
    args = parser.parse_args()
    spec = default_home()
    spec.faults = not args.no_faults
    t0 = time.perf_counter()
    events, truth = simulate(
        spec, args.seed, datetime.fromisoformat(args.start).timestamp(), args.days
    )
    elapsed = time.perf_counter() - t0
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "events.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ts", "entity_id", "state", "attributes"])
        for e in events:
            writer.writerow([f"{e.ts:.0f}", e.entity_id, e.state, json.dumps(e.attributes)])
    np.savez(args.out / "truth.npz", **truth.arrays())
    (args.out / "faults.json").write_text(json.dumps([asdict(f) for f in truth.faults], indent=2))
    print(f"{args.days:g} days, {len(events)} state changes in {elapsed:.1f} s -> {args.out}")


if __name__ == "__main__":
    main()
