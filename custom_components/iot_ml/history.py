"""Read the recorder's history into engine series. Everything here runs in the recorder's executor."""

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
import math

from homeassistant.components.recorder import history, statistics
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers.recorder import get_instance
import numpy as np

from .channels import ChannelSource
from .convert import canonical_unit, to_canonical
from .engine.core.types import ChannelKind, Series

_HOUR = 3600.0


async def async_read_history(
    hass: HomeAssistant,
    sources: Sequence[ChannelSource],
    starts: Mapping[str, float],
    end: float,
) -> dict[str, Series]:
    """Recorded history per channel key from ``starts[key]`` to ``end`` (epoch seconds).

    Runs on the recorder's database executor, as the recorder requires; returns {} without it.
    """
    if "recorder" not in hass.config.components or not sources:
        return {}
    return await get_instance(hass).async_add_executor_job(
        read_history, hass, list(sources), dict(starts), end
    )


def read_history(
    hass: HomeAssistant,
    sources: list[ChannelSource],
    starts: dict[str, float],
    end: float,
) -> dict[str, Series]:
    """Blocking part of ``async_read_history``: states, then hourly statistics before them."""
    by_entity: dict[str, list[ChannelSource]] = defaultdict(list)
    for source in sources:
        by_entity[source.entity_id].append(source)
    end_dt = datetime.fromtimestamp(end, UTC)
    result: dict[str, Series] = {}
    for entity_id, entity_sources in by_entity.items():
        start = min(starts[s.spec.key] for s in entity_sources)
        # Binary channels read only the state; numbers need their unit attribute.
        needs_attributes = any(
            s.attribute or s.spec.kind is ChannelKind.NUMERIC for s in entity_sources
        )
        states = history.get_significant_states(
            hass,
            datetime.fromtimestamp(start, UTC),
            end_dt,
            [entity_id],
            significant_changes_only=False,
            include_start_time_state=True,
            no_attributes=not needs_attributes,
        ).get(entity_id, [])
        for source in entity_sources:
            times: list[float] = []
            values: list[float] = []
            gaps: Counter[str] = Counter()
            key_start = starts[source.spec.key]
            for state in states:
                if not isinstance(state, State):
                    continue
                value, gap = source.read(state)
                if gap is not None:
                    gaps[gap.value] += 1
                times.append(max(state.last_updated_timestamp, key_start))
                values.append(math.nan if value is None else value)
            first = times[0] if times else end
            if _has_statistics(source) and first - key_start > _HOUR:
                early_t, early_v = _hourly_statistics(hass, source, key_start, first)
                times = early_t + times
                values = early_v + values
            result[source.spec.key] = Series(
                times=np.asarray(times, dtype=np.float64),
                values=np.asarray(values, dtype=np.float64),
                gaps=dict(gaps),
            )
    return result


def _has_statistics(source: ChannelSource) -> bool:
    """Long-term statistics exist only for numeric entity states (sensors with a state class)."""
    return source.attribute is None and source.spec.kind is ChannelKind.NUMERIC


def _hourly_statistics(
    hass: HomeAssistant, source: ChannelSource, start: float, end: float
) -> tuple[list[float], list[float]]:
    """Hourly means from long-term statistics for ``[start, end)``, as a step function."""
    meta = statistics.get_metadata(hass, statistic_ids={source.entity_id})
    if source.entity_id not in meta:
        return [], []
    unit: str | None = meta[source.entity_id][1].get("unit_of_measurement")
    if source.unit is not None and canonical_unit(unit) != source.unit:
        return [], []
    rows = statistics.statistics_during_period(
        hass,
        datetime.fromtimestamp(start, UTC),
        datetime.fromtimestamp(end, UTC),
        {source.entity_id},
        "hour",
        None,
        {"mean", "min", "max"},
    ).get(source.entity_id, [])
    times: list[float] = []
    values: list[float] = []
    previous_end: float | None = None
    for row in rows:
        mean = row.get("mean")
        if mean is None:
            continue
        row_start = float(row["start"])
        if previous_end is not None and row_start > previous_end:
            times.append(previous_end)
            values.append(math.nan)
        times.append(max(row_start, start))
        values.append(to_canonical(float(mean), unit))
        previous_end = float(row["end"])
    if previous_end is not None and previous_end < end:
        times.append(previous_end)
        values.append(math.nan)
    if times and source.unit is None:
        source.unit = canonical_unit(unit)
    return times, values
