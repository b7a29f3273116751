"""Indoor air: absolute humidity and CO2 per zone, each a well-mixed box ventilated to outdoors.

Neither feeds back into heating, so a whole block is solved at once (the exact discrete
solution of dy/dt = ach (y_eq - y)) instead of inside the step loop.
"""

import numpy as np

from .arrays import BoolArray, FloatArray, IntArray
from .spec import HomeSpec
from .weather import ah_saturation

OUTDOOR_CO2 = 420.0  # ppm
CO2_AWAKE, CO2_ASLEEP = 20_000.0, 14_000.0  # ppm * m3 / h per person (about 20 and 14 l/h)
H2O_AWAKE, H2O_ASLEEP = 50.0, 35.0  # g/h per person
H2O_SHOWER, H2O_COOKING = 1500.0, 500.0  # g/h
H2O_BACKGROUND = 15.0  # g/h per zone: plants, laundry, damp materials giving off moisture
FAN_ACH, HOOD_ACH, WINDOW_ACH = 3.0, 1.5, 6.0  # extra air changes per hour
SEGMENT = 120  # steps solved in closed form at a time (keeps products far from underflow)


class AirModel:
    """Humidity (g/m3) and CO2 (ppm) of every zone; state y = [humidity(zones), co2(zones)]."""

    def __init__(self, spec: HomeSpec, dt: float = 60.0) -> None:
        self.n = len(spec.zones)
        self.dt = dt
        self.volume = np.array([z.volume for z in spec.zones])
        self.base_ach = np.array([z.air_changes for z in spec.zones])
        self.state: FloatArray | None = None  # at the next block's first step

    def block(
        self,
        *,
        awake: IntArray,
        asleep: IntArray,
        shower: BoolArray,
        cooking: BoolArray,
        window: FloatArray,
        outdoor_c: FloatArray,
        outdoor_rh: float,
    ) -> FloatArray:
        """State at each step of a block (steps x 2n); `window` is extra air changes per hour."""
        ach = self.base_ach + FAN_ACH * shower + HOOD_ACH * cooking + window
        water = (
            H2O_BACKGROUND
            + H2O_AWAKE * awake
            + H2O_ASLEEP * asleep
            + H2O_SHOWER * shower
            + H2O_COOKING * cooking
        )
        co2 = CO2_AWAKE * awake + CO2_ASLEEP * asleep
        outside_h2o = outdoor_rh * ah_saturation(outdoor_c)[:, None]
        eq = np.hstack(
            [outside_h2o + water / (ach * self.volume), OUTDOOR_CO2 + co2 / (ach * self.volume)]
        )
        decay = np.exp(-np.hstack([ach, ach]) * self.dt / 3600.0)
        if self.state is None:  # start in balance with the first step
            self.state = eq[0].copy()
        out = np.empty_like(eq)
        y = self.state
        for s in range(0, len(eq), SEGMENT):
            a, b = decay[s : s + SEGMENT], (1.0 - decay[s : s + SEGMENT]) * eq[s : s + SEGMENT]
            # y_{k+1} = a_k y_k + b_k, solved as y_k = P_k (y_0 + sum_{j<k} b_j / P_{j+1}).
            prod = np.vstack([np.ones(2 * self.n), np.cumprod(a, axis=0)])
            acc = np.vstack([np.zeros(2 * self.n), np.cumsum(b / prod[1:], axis=0)])
            states = prod * (y + acc)
            out[s : s + SEGMENT] = states[:-1]
            y = states[-1]
        self.state = y
        return out
