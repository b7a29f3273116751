"""Lights as a latch: occupants switch on (when dark and present) or off (when leaving)."""

import numpy as np

from .arrays import BoolArray

SWITCH_ON_PROB = 0.9  # per minute, when present, awake and it is dark
SWITCH_OFF_PROB = 0.85  # when the last person leaves; else the light is forgotten
BRIGHT_OFF_PROB = 0.03  # per minute, when daylight is plenty
DARK_LUX, BRIGHT_LUX = 50.0, 300.0


def occupant_actions(
    present: BoolArray,
    before: BoolArray,
    asleep: BoolArray,
    daylight: np.ndarray,
    rng: np.random.Generator,
) -> tuple[BoolArray, BoolArray]:
    """(switch on, switch off) wishes per step and zone; `before` is `present` one step earlier."""
    shape = present.shape
    previous = np.vstack([before[None, :], present[:-1]])
    want_on = present & (daylight < DARK_LUX) & (rng.random(shape) < SWITCH_ON_PROB)
    # Falling asleep always ends with the light off; walking out only usually does.
    off_prob = np.where(asleep, 1.0, SWITCH_OFF_PROB)
    left = previous & ~present & (rng.random(shape) < off_prob)
    bright = present & (daylight > BRIGHT_LUX) & (rng.random(shape) < BRIGHT_OFF_PROB)
    return want_on, left | bright


def latch(want_on: BoolArray, switch_off: BoolArray, initial: BoolArray) -> BoolArray:
    """Light state after each step's actions (off wins); equivalent to the per-step update
    state = (state | want_on) & ~switch_off, but vectorised over the steps."""
    n = len(want_on)
    acted = want_on | switch_off
    last = np.where(acted, np.arange(n)[:, None], -1)
    last = np.maximum.accumulate(last, axis=0)
    value = want_on & ~switch_off
    cols = np.arange(want_on.shape[1])[None, :]
    picked = value[np.clip(last, 0, None), cols]
    return np.asarray(np.where(last >= 0, picked, initial[None, :]), dtype=np.bool_)
