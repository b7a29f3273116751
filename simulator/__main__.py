"""python -m simulator --days D --seed N --out DIR [--start ISO]: simulate and write files."""

import argparse
from datetime import UTC, datetime
import gc
from pathlib import Path
import sys
import time

from .export import write_run
from .home import simulate
from .spec import default_home

DEFAULT_START = "2026-01-05T00:00:00+00:00"  # a winter Monday


def _epoch(text: str) -> float:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--days", type=float, required=True, help="days to simulate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--start", default=DEFAULT_START, help="ISO time (UTC if no offset)")
    parser.add_argument("--time-zone", default=None, help="the home's time zone (IANA name)")
    parser.add_argument("--no-faults", action="store_true", help="inject no faults")
    args = parser.parse_args(argv)
    spec = default_home()
    spec.faults = not args.no_faults
    if args.time_zone:
        spec.time_zone = args.time_zone
    began = time.perf_counter()
    events, truth = simulate(spec, args.seed, _epoch(args.start), args.days)
    simulated = time.perf_counter() - began
    gc.disable()  # writing creates many short-lived objects and no cycles
    write_run(args.out, events, truth)
    sys.stdout.write(
        f"{len(events)} state changes, {len(truth.arrays()['t'])} truth minutes, "
        f"{len(truth.faults)} faults; simulated in {simulated:.2f} s, "
        f"written in {time.perf_counter() - began - simulated:.2f} s to {args.out}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
