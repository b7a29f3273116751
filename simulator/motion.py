"""PIR motion sensors: random detections of present people, rare false triggers, a hold time."""

import numpy as np

from .arrays import FloatArray, IntArray
from .spec import SensorSpec

type Switch = tuple[float, int, bool]  # (ts, zone, on)


class MotionSensors:
    """All zones' PIRs; an 'on' interval stays open across blocks until no detection extends it."""

    def __init__(self, spec: SensorSpec, zones: int) -> None:
        self._spec = spec
        self._open_until = np.full(zones, -np.inf)  # end of the current on-interval, if any

    def block(
        self, times: FloatArray, awake: IntArray, asleep: IntArray, rng: np.random.Generator
    ) -> list[Switch]:
        """On/off switches for one block (times are its steps; the block ends a step after)."""
        s = self._spec
        n, zones = awake.shape
        p_miss = (1.0 - s.motion_detect_prob) ** awake * (1.0 - s.motion_sleep_prob) ** asleep
        false_rate = s.false_triggers_per_day / 1440.0
        hit = (rng.random((n, zones)) >= p_miss) | (rng.random((n, zones)) < false_rate)
        offsets = rng.uniform(0.0, 60.0, (n, zones))
        holds = rng.uniform(*s.motion_hold_s, (n, zones))
        block_end = float(times[-1]) + 60.0
        switches: list[Switch] = []
        for z in range(zones):
            rows = np.flatnonzero(hit[:, z])
            switches += self._zone(z, times[rows] + offsets[rows, z], holds[rows, z], block_end)
        return switches

    def _zone(self, z: int, det: FloatArray, hold: FloatArray, block_end: float) -> list[Switch]:
        """Merge detections d (each keeping the sensor on until d + hold) into on/off switches."""
        carried = float(self._open_until[z])
        out: list[Switch] = []
        if det.size:
            reach = np.maximum.accumulate(np.maximum(det + hold, carried))
            before = np.concatenate(([carried], reach[:-1]))
            for j in np.flatnonzero(det > before):  # a detection after the sensor went off
                if j > 0 or carried > -np.inf:
                    out.append((float(before[j]), z, False))
                out.append((float(det[j]), z, True))
            carried = float(reach[-1])
        if carried < block_end:  # no later detection can extend it: final
            if carried > -np.inf:
                out.append((carried, z, False))
            carried = -np.inf
        self._open_until[z] = carried
        return out
