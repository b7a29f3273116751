"""Zone heat balance: per zone an air node and a building-mass node, coupled to the neighbours.

    C_air dT_air/dt  = H_am (T_mass - T_air) + H_v (T_out - T_air) + sum_k k (T_k - T_air)
                       + P_heater on + f solar + people + H_window (T_out - T_air)
    C_mass dT_mass/dt = H_am (T_air - T_mass) + H_e (T_out - T_mass) + (1 - f) solar

The air reacts within the hour (heating, airing); the mass sets the 20-60 h time constant.
Explicit Euler with 60 s steps is stable here (largest rate x dt < 0.05).
"""

import numpy as np

from .arrays import BoolArray, FloatArray, IntArray
from .spec import HomeSpec

SOLAR_TO_AIR = 0.5  # share of solar gain heating the air directly (the rest warms the mass)
WINDOW_W_PER_K = 200.0  # an open window
PERSON_W = 100.0
SLEEPER_W = 80.0


class ThermalModel:
    """Constant matrices of the model; state x = [T_air(zones), T_mass(zones)]."""

    def __init__(self, spec: HomeSpec, dt: float = 60.0) -> None:
        zones = spec.zones
        n = len(zones)
        self.n = n
        self.dt = dt
        self.c_air = c_air = np.array([z.air_capacity for z in zones])
        self.c_mass = c_mass = np.array([z.mass_capacity for z in zones])
        self.h_am = h_am = np.array([z.air_to_mass for z in zones])
        self.h_vent = np.array([z.ventilation for z in zones])
        self.h_env = np.array([z.envelope for z in zones])
        self.heater_w = np.array([z.heater_w for z in zones])
        self.aperture = np.array([z.solar_aperture for z in zones])
        rate = np.zeros((2 * n, 2 * n))
        for i in range(n):
            rate[i, i] = -(h_am[i] + self.h_vent[i]) / c_air[i]
            rate[i, n + i] = h_am[i] / c_air[i]
            rate[n + i, n + i] = -(h_am[i] + self.h_env[i]) / c_mass[i]
            rate[n + i, i] = h_am[i] / c_mass[i]
        for a, b, k in spec.couplings:
            i, j = spec.zone_index(a), spec.zone_index(b)
            for p, q in ((i, j), (j, i)):
                rate[p, p] -= k / c_air[p]
                rate[p, q] += k / c_air[p]
        self.rate = rate  # continuous-time system matrix (1/s)
        self.step_matrix = np.eye(2 * n) + dt * rate
        self.air_gain = dt / c_air  # K per W over one step
        self.mass_gain = dt / c_mass

    def drive(
        self, outdoor: FloatArray, irradiance: FloatArray, awake: IntArray, asleep: IntArray
    ) -> FloatArray:
        """Per-step input increments (steps x 2n) from outdoor air, sun and people."""
        solar = irradiance[:, None] * self.aperture[None, :]
        people = PERSON_W * awake + SLEEPER_W * asleep
        air = (self.h_vent * outdoor[:, None] + SOLAR_TO_AIR * solar + people) * self.air_gain
        mass = (self.h_env * outdoor[:, None] + (1 - SOLAR_TO_AIR) * solar) * self.mass_gain
        return np.asarray(np.hstack([air, mass]), dtype=np.float64)

    def window_loss(self, open_: BoolArray, zone: int) -> FloatArray:
        """Per-step extra conductance factor (steps x 2n) of an open window in `zone`."""
        loss = np.zeros((len(open_), 2 * self.n))
        loss[:, zone] = open_ * WINDOW_W_PER_K * self.air_gain[zone]
        return loss

    def steady_mass(self, air: FloatArray, outdoor: float) -> FloatArray:
        """Mass temperatures in balance with the given air temperatures."""
        share = self.h_am / (self.h_am + self.h_env)
        return np.asarray(share * air + (1 - share) * outdoor, dtype=np.float64)

    def time_constants_h(self) -> FloatArray:
        """Slow time constant of each zone on its own (no coupling, heating off), in hours."""
        out = np.empty(self.n)
        for i in range(self.n):
            ca, cm, h = self.c_air[i], self.c_mass[i], self.h_am[i]
            sub = np.array(
                [
                    [-(h + self.h_vent[i]) / ca, h / ca],
                    [h / cm, -(h + self.h_env[i]) / cm],
                ]
            )
            out[i] = 1.0 / np.min(np.abs(np.linalg.eigvals(sub))) / 3600.0
        return out
