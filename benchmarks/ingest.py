"""Ingest benchmark: per-event cost in the event loop, and bootstrap time and memory.

Home: 60 sensors (40 numeric, 20 binary) x 56 days of synthetic history.
- event_us_*: the coordinator's state-change callback (HA State in, slot buffers updated), as HA
  calls it in the event loop, timed per event.
- bootstrap_s: turning recorded states into values (unit conversion, cleaning) and resampling them
  onto the 5-minute grid for all 60 sensors; peak_rss_mb: peak memory of the whole run.
Budget: <= 20 us median per event, <= 3 s bootstrap on a 2-core machine.
"""

import argparse
import asyncio
from pathlib import Path
import tempfile
import time
from typing import Any

import numpy as np

from benchmarks.common import peak_rss_mb, percentiles, write_report

N_NUMERIC = 40
N_BINARY = 20
DAYS = 56
SECONDS_PER_DAY = 86400


def synthetic_history(rng: np.random.Generator, now: float, days: int) -> dict[str, Any]:
    """Per sensor: change times and raw state strings, as the recorder returns them."""
    start = now - days * SECONDS_PER_DAY
    sensors: dict[str, Any] = {}
    for i in range(N_NUMERIC):
        # A change every 5 minutes on average, temperature-like values with a daily cycle.
        n = int(days * SECONDS_PER_DAY / 300)
        times = np.sort(rng.uniform(start, now, n))
        values = 20 + 2 * np.sin(times / SECONDS_PER_DAY * 2 * np.pi) + rng.normal(0, 0.2, n)
        raw = [f"{v:.1f}" for v in values]
        # A few percent of garbage, as real sensors produce.
        for j in rng.choice(n, n // 50, replace=False):
            raw[j] = "unavailable" if j % 2 else "unknown"
        sensors[f"sensor.s{i}"] = (times, raw)
    for i in range(N_BINARY):
        # About 100 changes a day (a busy motion sensor).
        n = days * 100
        times = np.sort(rng.uniform(start, now, n))
        raw = ["on" if k % 2 else "off" for k in range(n)]
        sensors[f"binary_sensor.b{i}"] = (times, raw)
    return sensors


def run_bootstrap(history: dict[str, Any], now: float) -> dict[str, float]:
    """Convert states with the integration's channel readers, then resample into a learner."""
    from homeassistant.core import State

    from custom_components.iot_ml.channels import ChannelSource
    from custom_components.iot_ml.engine.core.types import ChannelKind, ChannelSpec, Role, Series
    from custom_components.iot_ml.engine.household.learner import Learner

    sources = []
    for entity_id in history:
        kind = ChannelKind.BINARY if entity_id.startswith("binary") else ChannelKind.NUMERIC
        role = Role.EVIDENCE if kind is ChannelKind.BINARY else Role.ENVIRONMENT
        sources.append(ChannelSource(ChannelSpec(entity_id, kind, role), entity_id))
    learner = Learner([s.spec for s in sources], DAYS, "Europe/Berlin")
    attrs = {"unit_of_measurement": "°C", "device_class": "temperature"}
    convert_s = 0.0
    series: dict[str, Series] = {}
    for source in sources:
        times, raw = history[source.entity_id]
        # State objects are built outside the timed part: the recorder makes them, not us.
        states = [
            State(source.entity_id, r, attrs if source.spec.kind is ChannelKind.NUMERIC else None)
            for r in raw
        ]
        t0 = time.perf_counter()
        values = np.empty(len(states))
        for k, state in enumerate(states):
            value, _gap = source.read(state)
            values[k] = np.nan if value is None else value
        series[source.spec.key] = Series(times=np.asarray(times), values=values)
        convert_s += time.perf_counter() - t0
    t0 = time.perf_counter()
    learner.load_history(series, now)
    resample_s = time.perf_counter() - t0
    events = sum(len(h[0]) for h in history.values())
    return {
        "convert_s": convert_s,
        "resample_s": resample_s,
        "bootstrap_s": convert_s + resample_s,
        "history_events": events,
    }


async def run_events(n_events: int, rng: np.random.Generator) -> list[float]:
    """Time the coordinator's state-change callback in a real (unstarted) HA core."""
    from homeassistant.config_entries import ConfigEntry, ConfigSubentry
    from homeassistant.const import EVENT_STATE_CHANGED
    from homeassistant.core import Event, HomeAssistant, State
    from homeassistant.util import dt as dt_util

    from custom_components.iot_ml.const import CONF_ENVIRONMENT, CONF_EVIDENCE, DOMAIN
    from custom_components.iot_ml.coordinator import IotMlCoordinator

    with tempfile.TemporaryDirectory() as config_dir:
        hass = HomeAssistant(config_dir)
        await hass.config.async_set_time_zone("Europe/Berlin")
        numeric = [f"sensor.s{i}" for i in range(N_NUMERIC)]
        binary = [f"binary_sensor.b{i}" for i in range(N_BINARY)]
        zones = []
        for z in range(6):  # six zones of ten sensors
            data = {
                "name": f"Zone {z}",
                CONF_EVIDENCE: binary[z * 3 : z * 3 + 3],
                CONF_ENVIRONMENT: numeric[z * 7 : z * 7 + 7],
            }
            zones.append(
                ConfigSubentry(data=data, subentry_type="zone", title=data["name"], unique_id=None)
            )
        entry = ConfigEntry(
            data={},
            discovery_keys={},
            domain=DOMAIN,
            minor_version=1,
            options={"history_days": DAYS},
            source="user",
            subentries_data=[
                {
                    "data": z.data,
                    "subentry_id": z.subentry_id,
                    "subentry_type": z.subentry_type,
                    "title": z.title,
                    "unique_id": None,
                }
                for z in zones
            ],
            title="Bench",
            unique_id=None,
            version=1,
        )
        coordinator = IotMlCoordinator(hass, entry)
        attrs = {"unit_of_measurement": "°C", "device_class": "temperature"}
        ids = numeric + binary
        now = dt_util.utcnow().timestamp()
        timings: list[float] = []
        callback = coordinator.ingest.on_state_change  # live until a bootstrap begins
        for k in range(n_events):
            entity_id = ids[int(rng.integers(len(ids)))]
            if entity_id.startswith("sensor"):
                state = State(entity_id, f"{20 + rng.normal():.1f}", attrs)
            else:
                state = State(entity_id, "on" if k % 2 else "off")
            object.__setattr__(state, "last_updated_timestamp", now + k * 0.5)
            event = Event(
                EVENT_STATE_CHANGED,
                {"entity_id": entity_id, "old_state": None, "new_state": state},
            )
            t0 = time.perf_counter_ns()
            callback(event)
            timings.append((time.perf_counter_ns() - t0) / 1000)
        await hass.async_stop(force=True)
    return timings


def main() -> None:
    """Run the benchmark and write ``ingest.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.add_argument("--days", type=int, default=DAYS)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    now = time.time()
    history = synthetic_history(rng, now, args.days)
    boot = run_bootstrap(history, now)
    del history
    timings = asyncio.run(run_events(args.events, rng))
    median, p99 = percentiles(timings[1000:], 50, 99)  # skip warm-up
    report = {
        "sensors": N_NUMERIC + N_BINARY,
        "days": args.days,
        "events_timed": len(timings) - 1000,
        "event_us_median": round(median, 2),
        "event_us_p99": round(p99, 2),
        **{k: round(v, 3) if isinstance(v, float) else v for k, v in boot.items()},
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "budget": {"event_us_median": 20, "bootstrap_s": 3.0},
    }
    path = write_report(args.out, "ingest", report)
    print(path.read_text())


if __name__ == "__main__":
    main()
