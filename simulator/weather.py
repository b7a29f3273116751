"""Outdoor weather per 24 h block: temperature, cloudiness and sunshine on the minute grid."""

from dataclasses import dataclass
import math

import numpy as np

from .arrays import FloatArray
from .clock import LocalClock
from .rng import stream
from .spec import WeatherSpec

CLOUD_HOURS = 12.0  # correlation time of cloudiness


@dataclass(frozen=True)
class WeatherBlock:
    """Weather at each step time of a block."""

    outdoor_c: FloatArray
    cloud: FloatArray  # 0 clear .. 1 overcast
    irradiance: FloatArray  # W/m2 reaching the ground
    clear_sky: FloatArray  # W/m2 on a clear day (sun position only)


def ah_saturation(temp_c: FloatArray) -> FloatArray:
    """Saturation absolute humidity in g/m3 (Magnus formula)."""
    return np.asarray(
        6.112 * np.exp(17.67 * temp_c / (temp_c + 243.5)) * 216.74 / (273.15 + temp_c),
        dtype=np.float64,
    )


class Weather:
    """Hourly AR(1) knots (carried from block to block) interpolated to minutes, plus sun."""

    def __init__(self, spec: WeatherSpec, seed: int, clock: LocalClock) -> None:
        self._spec = spec
        self._seed = seed
        self._clock = clock
        rng = stream(seed, "weather", "init")
        self._swing = float(rng.normal(0.0, spec.swing_sd_c))
        self._cloud_z = float(rng.normal())

    def block(self, index: int, times: FloatArray) -> WeatherBlock:
        """Weather for one block of step times (blocks must be requested in order)."""
        s = self._spec
        rng = stream(self._seed, "weather", index)
        hours = math.ceil((times[-1] - times[0]) / 3600.0) + 1
        knot_t = times[0] + 3600.0 * np.arange(hours + 1)
        swing = _ar1(self._swing, math.exp(-1.0 / s.swing_hours), s.swing_sd_c, rng, hours)
        cloud_z = _ar1(self._cloud_z, math.exp(-1.0 / CLOUD_HOURS), 1.0, rng, hours)
        # Carry the knot at the next block's start so the series stays continuous.
        carry = round((times[-1] + 60.0 - times[0]) / 3600.0)
        self._swing, self._cloud_z = float(swing[carry]), float(cloud_z[carry])

        logit_mean = math.log(s.cloud_mean / (1.0 - s.cloud_mean))
        cloud = 1.0 / (1.0 + np.exp(-(logit_mean + 1.6 * np.interp(times, knot_t, cloud_z))))
        hour = self._clock.local_hours(times)
        daily = s.daily_amplitude_c * (1.0 - 0.4 * cloud) * np.cos(2 * np.pi * (hour - 15.0) / 24)
        outdoor = s.mean_c + np.interp(times, knot_t, swing) + daily
        frac = (hour - s.sunrise_h) / (s.sunset_h - s.sunrise_h)
        clear = s.peak_irradiance * np.sin(np.pi * np.clip(frac, 0.0, 1.0)) ** 1.5
        return WeatherBlock(
            outdoor_c=outdoor,
            cloud=cloud,
            irradiance=clear * (1.0 - 0.75 * cloud),
            clear_sky=clear,
        )


def _ar1(first: float, phi: float, sd: float, rng: np.random.Generator, n: int) -> FloatArray:
    """n further steps of a stationary AR(1) with marginal sd `sd`, starting at `first`."""
    noise = rng.normal(0.0, sd * math.sqrt(1.0 - phi * phi), n)
    out = np.empty(n + 1)
    out[0] = first
    for i in range(n):
        out[i + 1] = phi * out[i] + noise[i]
    return out
