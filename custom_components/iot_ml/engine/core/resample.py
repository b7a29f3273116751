"""Vectorised resampling of step functions onto the slot grid."""

import numpy as np

from .grid import SLOT_SECONDS
from .types import FloatArray


def resample_step(
    times: FloatArray, values: FloatArray, start_slot: int, end_slot: int
) -> FloatArray:
    """Time-weighted mean of a step function over each slot in ``[start_slot, end_slot)``.

    Each value holds from its time until the next one (NaN = gap, the last holds to the end).
    A slot with no covered time is NaN. O(n + slots), no Python loop.
    """
    n_slots = end_slot - start_slot
    if n_slots <= 0:
        return np.empty(0, dtype=np.float64)
    edges = np.arange(start_slot, end_slot + 1, dtype=np.float64) * SLOT_SECONDS
    if len(times) == 0:
        return np.full(n_slots, np.nan)
    t = np.clip(np.asarray(times, dtype=np.float64), edges[0], edges[-1])
    v = np.asarray(values, dtype=np.float64)
    valid = ~np.isnan(v)
    v0 = np.where(valid, v, 0.0)
    seg = np.diff(t, append=edges[-1])
    # Running integrals of value and of covered time at each change point.
    area = np.concatenate(([0.0], np.cumsum(v0 * seg)))[:-1]
    covered = np.concatenate(([0.0], np.cumsum(valid * seg)))[:-1]
    idx = np.searchsorted(t, edges, side="right") - 1
    before = idx < 0
    idx = np.maximum(idx, 0)
    since = edges - t[idx]
    area_e = np.where(before, 0.0, area[idx] + v0[idx] * since)
    covered_e = np.where(before, 0.0, covered[idx] + valid[idx] * since)
    slot_area = np.diff(area_e)
    slot_cov = np.diff(covered_e)
    out = np.full(n_slots, np.nan)
    has = slot_cov > 1e-9
    out[has] = slot_area[has] / slot_cov[has]
    return out
