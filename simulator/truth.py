"""Ground truth the simulator knows and sensors only hint at, for evaluation."""

from dataclasses import dataclass, field

import numpy as np

from .faults import FaultWindow


@dataclass(slots=True)
class GroundTruth:
    """Minute-by-minute truth since the start, plus the fault windows."""

    zones: tuple[str, ...]
    faults: list[FaultWindow] = field(default_factory=list)
    _t: list[float] = field(default_factory=list)
    _occupants: list[tuple[int, ...]] = field(default_factory=list)
    _temperature: list[tuple[float, ...]] = field(default_factory=list)
    _heater: list[tuple[bool, ...]] = field(default_factory=list)
    _outdoor: list[float] = field(default_factory=list)

    def record(
        self,
        ts: float,
        occupants: list[int],
        temperature: list[float],
        heater: list[bool],
        outdoor: float,
    ) -> None:
        """Append one minute."""
        self._t.append(ts)
        self._occupants.append(tuple(occupants))
        self._temperature.append(tuple(temperature))
        self._heater.append(tuple(heater))
        self._outdoor.append(outdoor)

    def arrays(self) -> dict[str, np.ndarray]:
        """Truth as arrays: t, occupied.<zone>, occupants.<zone>, temperature.<zone>, ..."""
        occupants = np.array(self._occupants, dtype=np.int16).reshape(-1, len(self.zones))
        temperature = np.array(self._temperature).reshape(-1, len(self.zones))
        heater = np.array(self._heater, dtype=bool).reshape(-1, len(self.zones))
        out: dict[str, np.ndarray] = {
            "t": np.array(self._t),
            "outdoor_temperature": np.array(self._outdoor),
            "home_occupied": (occupants.sum(axis=1) > 0).astype(np.int8),
        }
        for i, zone in enumerate(self.zones):
            out[f"occupants.{zone}"] = occupants[:, i]
            out[f"occupied.{zone}"] = (occupants[:, i] > 0).astype(np.int8)
            out[f"temperature.{zone}"] = temperature[:, i]
            out[f"heater_on.{zone}"] = heater[:, i].astype(np.int8)
        return out
