"""Thermal: the grey-box room model, its fit, and the heating-fault and window watch."""

from .model import ThermalModel, ThermalRates, ThermalSeries, ThermalState

__all__ = [
    "ThermalModel",
    "ThermalRates",
    "ThermalSeries",
    "ThermalState",
]
