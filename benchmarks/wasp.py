"""The "wasp in a box" home-presence rule: a baseline of the occupancy benchmark.

The home is a closed box. After the front door closes, presence is kept while interior activity
has been seen since; if none is seen within a grace period, the box is taken to be empty. It
stays empty until interior activity is seen again or the door opens. (Moved here from the engine,
which never used it: the shipped product learns occupancy from all of a zone's evidence.)
"""

from dataclasses import dataclass
import math

import numpy as np

from custom_components.iot_ml.engine.core.grid import SLOT_SECONDS

GRACE_SECONDS = 600.0


@dataclass(slots=True)
class WaspInBox:
    """Live rule state; O(1) per event."""

    grace: float = GRACE_SECONDS
    door_open: bool = False
    closed_at: float | None = None  # last time the front door closed
    activity_at: float | None = None  # last interior activity

    def door(self, ts: float, is_open: bool) -> None:
        """The front door opened (``is_open``) or closed at ``ts``."""
        self.door_open = is_open
        if not is_open:
            self.closed_at = ts

    def activity(self, ts: float) -> None:
        """Interior activity (motion, a cupboard, an appliance) at ``ts``."""
        self.activity_at = ts if self.activity_at is None else max(ts, self.activity_at)

    def present(self, ts: float) -> bool:
        """Whether someone is home at ``ts`` (no door seen yet: home if any activity was)."""
        if self.door_open:
            return True
        if self.closed_at is None:
            return self.activity_at is not None
        if self.activity_at is not None and self.activity_at > self.closed_at:
            return True
        return ts - self.closed_at < self.grace


def wasp_at_slot_starts(
    door_open: np.ndarray,
    door_close: np.ndarray,
    activity: np.ndarray,
    start_slot: int,
    count: int,
    *,
    grace: float = GRACE_SECONDS,
) -> np.ndarray:
    """The rule's state (0/1) at the start of each slot ``start_slot ..``, from the events
    (epoch seconds) strictly before it: what the rule would show at that instant."""
    events = sorted(
        [(float(t), 1) for t in door_open]
        + [(float(t), 2) for t in door_close]
        + [(float(t), 0) for t in activity]
    )
    rule = WaspInBox(grace=grace)
    out = np.full(count, math.nan)
    i = 0
    for k in range(count):
        at = (start_slot + k) * SLOT_SECONDS
        while i < len(events) and events[i][0] < at:
            t, kind = events[i]
            if kind == 0:
                rule.activity(t)
            else:
                rule.door(t, is_open=kind == 1)
            i += 1
        out[k] = float(rule.present(at))
    return out
