"""Injected faults with their ground-truth windows."""

from dataclasses import dataclass

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class FaultWindow:
    """A fault and when it is active: ``target`` is an entity id or a zone."""

    kind: str  # stuck | spike | drift | dropout | heating_failure | intrusion
    target: str
    start: float
    end: float

    def active(self, ts: float) -> bool:
        """Whether ``ts`` falls in the window."""
        return self.start <= ts < self.end


def fault_schedule(start: float, intrusion_at: float | None) -> list[FaultWindow]:
    """One fault of each kind after the first two weeks (times from the simulation start)."""
    faults = [
        FaultWindow(
            "stuck",
            "sensor.kitchen_temperature",
            start + 16 * DAY + 10 * 3600,
            start + 16 * DAY + 17 * 3600,
        ),
        FaultWindow(
            "spike",
            "sensor.living_room_temperature",
            start + 18 * DAY + 15 * 3600,
            start + 18 * DAY + 15 * 3600 + 300,
        ),
        FaultWindow("drift", "sensor.bedroom_temperature", start + 20 * DAY, start + 24 * DAY),
        FaultWindow(
            "dropout",
            "sensor.office_co2",
            start + 22 * DAY + 9 * 3600,
            start + 22 * DAY + 14 * 3600,
        ),
        FaultWindow("heating_failure", "office", start + 26 * DAY, start + 27 * DAY),
    ]
    if intrusion_at is not None:
        faults.append(FaultWindow("intrusion", "home", intrusion_at, intrusion_at + 15 * 60))
    return faults
