"""Every benchmark, by name: what ``scripts/bench`` runs and what ``scripts/test`` runs quickly.

Each entry is a module under ``benchmarks/`` with a ``main()`` taking ``--out DIR`` (and
``--quick``); it writes ``DIR/<name>.json``. All of them drive the shipped household, through
``benchmarks/harness.py`` or the integration's own coordinator.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Benchmark:
    """One benchmark and what it measures."""

    name: str
    about: str
    quick_in_ci: bool = True  # scripts/test runs it with --quick


BENCHMARKS = {
    b.name: b
    for b in (
        Benchmark("ingest", "per-event and per-tick cost of a trained home; bootstrap time"),
        Benchmark("occupancy", "UCI, Kasteren, Ordóñez and the virtual home, vs simple rules"),
        Benchmark("thermal", "passive house: forecasts and time to target, vs first-order RC"),
        Benchmark("preheat", "virtual home closed loop: MissTime and energy of five policies"),
        Benchmark("anomaly", "NAB, SKAB and faults injected into the virtual home"),
    )
}
