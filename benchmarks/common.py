"""Helpers shared by benchmarks: their data, output files and simple statistics."""

from collections.abc import Iterable, Sequence
import json
from pathlib import Path
import platform
import resource
import sys
from typing import Any

import numpy as np


def require_data(data_dir: Path, names: Sequence[str], benchmark: str) -> dict[str, Path]:
    """The datasets among ``names`` (paths relative to ``data_dir``) that exist, by name.

    A benchmark that finds none of its data stops here with a message saying where it looked,
    instead of writing a report with nothing measured; missing ones among several are named on
    stderr and skipped.
    """
    found = {name: data_dir / name for name in names if (data_dir / name).exists()}
    if not found:
        where = f"{data_dir}" if data_dir.is_dir() else f"{data_dir} (no such directory)"
        raise SystemExit(
            f"{benchmark}: none of its data found in {where}; looked for {', '.join(names)}. "
            "Pass --data DIR (scripts/bench makes it visible where the benchmark runs) or put the "
            "datasets in ../shared/data beside the checkout."
        )
    if missing := [name for name in names if name not in found]:
        print(f"{benchmark}: skipping what {data_dir} lacks: {', '.join(missing)}", file=sys.stderr)
    return found


def write_report(out_dir: Path, name: str, report: dict[str, Any]) -> Path:
    """Write ``report`` as ``out_dir/name.json`` with machine details; returns the path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report = {
        **report,
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": __import__("os").cpu_count(),
        },
    }
    path = out_dir / f"{name}.json"
    path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return path


def percentiles(samples: Iterable[float], *qs: float) -> list[float]:
    """The given percentiles of ``samples``."""
    arr = np.asarray(list(samples), dtype=np.float64)
    return [float(np.percentile(arr, q)) for q in qs]


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
