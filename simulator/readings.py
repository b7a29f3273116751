"""True values behind each numeric sensor, per step and column, before noise and rounding."""

import numpy as np

from .arrays import BoolArray, FloatArray
from .block import BlockPlan
from .spec import HomeSpec
from .weather import ah_saturation

BASE_LOAD_W = 150.0  # always-on devices
FRIDGE_W, FRIDGE_CYCLE_S, FRIDGE_ON_S = 80.0, 2700.0, 900.0
TV_W, TV_LUX = 110.0, 15.0
COOKING_W, COMPUTER_W = 1800.0, 90.0


def sensor_values(
    spec: HomeSpec,
    block: BlockPlan,
    rows: slice,
    *,
    air: FloatArray,
    heating: BoolArray,
    lights: BoolArray,
) -> dict[str, FloatArray]:
    """Value sources (steps x columns) for the rows of a block, given the simulated state."""
    n = len(spec.zones)
    occ = block.occupancy
    times = block.times[rows]
    humidity_abs, co2 = block.air[rows, :n], block.air[rows, n:]
    light_w = np.array([z.light_w for z in spec.zones])
    light_lux = np.array([z.light_lux for z in spec.zones])
    heater_w = np.array([z.heater_w for z in spec.zones])
    tv = block.tv[rows]
    lux = block.daylight[rows] + lights * light_lux
    lux[:, spec.zone_index(spec.sensors.tv_zone)] += TV_LUX * tv
    heater = heating * heater_w
    fridge = ((times - block.times[0]) % FRIDGE_CYCLE_S < FRIDGE_ON_S) * FRIDGE_W
    house = (
        BASE_LOAD_W
        + fridge
        + (lights * light_w).sum(axis=1)
        + TV_W * tv
        + COOKING_W * occ.cooking[rows].any(axis=1)
        + COMPUTER_W * occ.working[rows].any(axis=1)
        + heater.sum(axis=1)
    )
    return {
        "temperature": air,
        "humidity": 100.0 * humidity_abs / ah_saturation(air),
        "illuminance": lux,
        "co2": co2,
        "heater_power": heater.astype(np.float64),
        "outdoor": block.weather.outdoor_c[rows, None],
        "house_power": house[:, None],
    }
