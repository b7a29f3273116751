"""Outdoor temperature and sunshine: a daily cycle plus multi-day weather swings."""

import math

import numpy as np


class Weather:
    """Deterministic weather; values are functions of the epoch minute."""

    def __init__(self, seed: int, start: float, mean_c: float) -> None:
        self.start = start
        self.mean_c = mean_c
        rng = np.random.default_rng([seed, 3])
        # Hourly AR(1) anomaly (multi-day swings) and a cloudiness per day, 400 days ahead.
        hours = 400 * 24
        noise = rng.normal(0, 0.35, hours)
        anomaly = np.empty(hours)
        level = 0.0
        for i in range(hours):
            level = 0.985 * level + noise[i]
            anomaly[i] = level
        self._anomaly = anomaly
        self._cloud = rng.uniform(0.1, 1.0, 400)

    def _hour(self, ts: float) -> float:
        return (ts - self.start) / 3600.0

    def outdoor(self, ts: float, local_hour: float) -> float:
        """Outdoor temperature (°C): warmest mid-afternoon."""
        h = min(max(self._hour(ts), 0.0), len(self._anomaly) - 2)
        i = int(h)
        swing = self._anomaly[i] + (self._anomaly[i + 1] - self._anomaly[i]) * (h - i)
        daily = 3.5 * math.sin(2 * math.pi * (local_hour - 9.0) / 24.0)
        return self.mean_c + daily + swing

    def sun(self, ts: float, local_hour: float) -> float:
        """Sunshine 0..1 (winter day from 8:00 to 16:30, dimmed by the day's clouds)."""
        if not 8.0 < local_hour < 16.5:
            return 0.0
        day = min(max(int(self._hour(ts) // 24), 0), len(self._cloud) - 1)
        return math.sin(math.pi * (local_hour - 8.0) / 8.5) * (1.0 - 0.8 * self._cloud[day])
