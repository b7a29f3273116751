"""The fixed schedule a user would program for the virtual home, one per room and weekday.

Derived from the household's routine as the simulator spec describes it (wake-up, leaving and
return times, bedtimes, commute and home-office days), never from what happened on the test
days: comfort in each room's usual occupied hours, switched on ``LEAD_H`` ahead the way users
learn to program a thermostat, eco otherwise.

- bedroom: the night, from shortly before bedtime to shortly after getting up;
- living room: evenings after the first return from work, all day at weekends;
- office: working hours on home-office days;
- kitchen, bathroom, hall (short visits nobody can time): whenever someone is usually home and
  awake.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from custom_components.iot_ml.engine.core.grid import slot_start
from simulator.spec import HomeSpec

LEAD_H = 0.5  # comfort starts half an hour before the room is usually used
WEEKEND_WAKE_H = 8.0  # the routine: weekends and days off start at about 08:00
WEEKEND_LIVING_FROM_H = 0.5  # living room from half an hour after getting up at weekends
LATE_NIGHTS = (4, 5)  # Friday and Saturday: 30 min later to bed
LATE_H = 0.5
WORK_UNTIL_H = 18.0  # home office: about 17:30, plus a margin

type Windows = list[tuple[float, float]]


def day_windows(spec: HomeSpec, weekday: int) -> dict[str, Windows]:
    """Comfort windows (local hours, ``[from, to)``) per room role on ``weekday`` (0 = Monday)."""
    people = spec.occupants
    weekend = weekday >= 5
    wake = WEEKEND_WAKE_H if weekend else min(p.wake_h for p in people)
    bed = max(p.bed_h for p in people) + (LATE_H if weekday in LATE_NIGHTS else 0.0)
    commuters = [p for p in people if not weekend and weekday in p.commute_days]
    workers = [p for p in people if not weekend and weekday in p.office_days]
    end = min(24.0, bed + 0.5)
    if len(commuters) == len(people):  # everyone out during the day
        leave = max(p.leave_h for p in commuters)
        back = min(p.return_h for p in commuters)
        home: Windows = [(wake - LEAD_H, leave), (back - LEAD_H, end)]
        living: Windows = [(back - LEAD_H, end)]
    else:
        home = [(wake - LEAD_H, end)]
        if commuters or workers:
            back = min((p.return_h for p in commuters), default=WORK_UNTIL_H)
            living = [(min(back, WORK_UNTIL_H) - LEAD_H, end)]
        else:
            living = [(wake + WEEKEND_LIVING_FROM_H - LEAD_H, end)]
    office: Windows = [(wake + 0.5 - LEAD_H, WORK_UNTIL_H)] if workers else []
    return {
        "bedroom": [(0.0, wake + 1.0), (bed - 0.5 - LEAD_H, 24.0)],
        "living": living,
        "office": office,
        "kitchen": home,
        "bathroom": home,
        "hall": home,
    }


class UserSchedule:
    """Comfort or eco per zone and slot, from ``day_windows``."""

    def __init__(self, spec: HomeSpec) -> None:
        self.tz = ZoneInfo(spec.time_zone)
        self.comfort_c, self.eco_c = spec.comfort_c, spec.eco_c
        self.roles = {z.name: z.role for z in spec.zones}
        self.week = [day_windows(spec, d) for d in range(7)]

    def setpoint(self, zone: str, slot: int) -> float:
        """The programmed setpoint of ``zone`` during ``slot``."""
        local = datetime.fromtimestamp(slot_start(slot), self.tz)
        hour = local.hour + local.minute / 60.0
        windows = self.week[local.weekday()][self.roles[zone]]
        comfort = any(a <= hour < b for a, b in windows)
        return self.comfort_c if comfort else self.eco_c

    def describe(self) -> dict[str, dict[str, list[str]]]:
        """The windows as ``HH:MM-HH:MM`` per role and weekday, for the report."""
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

        def hhmm(h: float) -> str:
            return f"{int(h):02d}:{round(h % 1 * 60):02d}"

        roles = self.week[0].keys()
        return {
            role: {
                names[d]: [f"{hhmm(a)}-{hhmm(b)}" for a, b in self.week[d][role]] for d in range(7)
            }
            for role in roles
        }
