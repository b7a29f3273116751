"""Helpers shared by benchmarks: output files and simple statistics."""

from collections.abc import Iterable
import json
from pathlib import Path
import platform
import resource
import sys
from typing import Any

import numpy as np


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
