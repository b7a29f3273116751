"""What every anomaly detector offers the zone that runs it (sensor, activity, joint).

In the spirit of river's ``AnomalyDetector`` (``learn_one``/``score_one``), for streams with
episodes and feedback: ``update`` scores one input at its time against what was learned before
it and then learns it (test, then train; a confirmed episode is kept out of what is learned),
and says whether an episode began or ended. ``mark`` takes the user's verdict on an episode the
detector raised, ``open_episodes`` lists the episodes still open. What an input is differs: a
sensor reading, a slot's activity evidence, a slot of a zone's joint channels. Persistence stays
with each class: restoring needs its own config (``from_json(config, data)``).
"""

from typing import Protocol

from .types import AnomalyResult, Episode, Feedback


class AnomalyDetector[X](Protocol):
    """A streaming detector of inputs ``X`` that raises episodes and takes feedback on them."""

    def update(self, ts: float, x: X, /) -> AnomalyResult:
        """Score ``x``, taken at ``ts``, then learn it."""
        ...

    def mark(self, episode_id: str, verdict: Feedback) -> bool:
        """The user's verdict on an episode; False when this detector did not raise it."""
        ...

    @property
    def open_episodes(self) -> tuple[Episode, ...]:
        """The episodes this detector has open now."""
        ...
